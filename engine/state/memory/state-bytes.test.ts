import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { StateReader, StateWriter } from './state-bytes.js';

type Value = { kind: 'count'; value: number } | { kind: 'number'; value: number } | { kind: 'text'; value: string };

/** Any UTF-16 code unit, lone surrogates included: JSON can carry them into a key. */
const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)), maxLength: 300 });

const value: fc.Arbitrary<Value> = fc.oneof(
  fc.record({ kind: fc.constant('count' as const), value: fc.nat({ max: 2 ** 32 - 1 }) }),
  fc.record({ kind: fc.constant('number' as const), value: fc.double() }),
  fc.record({ kind: fc.constant('text' as const), value: fc.oneof(anyText, fc.string({ maxLength: 300 })) }),
);

function written(values: readonly Value[]): Buffer {
  const writer = new StateWriter();
  writer.reset();
  for (const item of values) writer[item.kind](item.value as never);
  return writer.bytes();
}

describe('the bytes of a frozen visitor', () => {
  test('read back every count, number and text in the order written (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 60 }), (values) => {
        const reader = new StateReader(written(values));
        for (const item of values) expect(Object.is(reader[item.kind](), item.value)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test('keep a lone surrogate as it is, where UTF-8 would replace it', () => {
    const key = 'w:search:\ud800';
    expect(new StateReader(written([{ kind: 'text', value: key }])).text()).toBe(key);
  });

  test('take one byte per character of an ASCII text', () => {
    expect(written([{ kind: 'text', value: 'w:viewed:sku-1' }]).length).toBe(1 + 'w:viewed:sku-1'.length);
  });

  test('grow past the writer\'s first buffer', () => {
    const long = 'x'.repeat(10_000);
    expect(new StateReader(written([{ kind: 'text', value: long }, { kind: 'number', value: 7 }])).text()).toBe(long);
  });
});
