import { afterEach, describe, expect, test } from 'vitest';
import { ScenarioCompiler } from '../../engine/scenarios/index.js';
import { MINUTE, T0, compileScenarios, openHarness, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const onEvent = (event: string, where: string) => `
id: on-${event}
when:
  count: { event: ${event}, where: ${where}, atLeast: 1, within: 1s }
then:
  popin: { title: "Hello" }
`;

const SHOP = 'https://shop.example';

describe.each(await storeKinds())('conditions on event properties, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  async function firesFor(scenario: string, events: Array<[string, Record<string, unknown>, string?]>, type = 'search'): Promise<string[]> {
    harness = await openHarness(kind, url, compileScenarios(scenario));
    for (const [i, [who, props, page]] of events.entries()) {
      await harness.send(who, type as 'search', props, T0 + i * MINUTE, `e${i}`, page);
    }
    return harness.fired().map((firing) => firing.visitor);
  }

  test.skipIf(skip !== undefined)('contains matches any of its words inside the text, ignoring case', async () => {
    const fired = await firesFor(onEvent('search', '{ q: { contains: [gift, voucher] } }'), [
      ['ann', { q: 'Gift box' }],
      ['bob', { q: 'giftvoucher' }],
      ['cid', { q: 'gifs' }],
      ['dan', { q: 42 }],
      ['eve', {}],
    ]);
    expect(fired).toEqual(['ann', 'bob']);
  });

  test.skipIf(skip !== undefined)('startsWith matches the beginning of the text only', async () => {
    const fired = await firesFor(onEvent('search', '{ q: { startsWith: red } }'), [
      ['ann', { q: 'Red shoes' }],
      ['bob', { q: 'bored' }],
    ]);
    expect(fired).toEqual(['ann']);
  });

  test.skipIf(skip !== undefined)('url is the URL of the page the event happened on', async () => {
    const fired = await firesFor(
      onEvent('page', `{ url: { startsWith: "${SHOP}/sale/" } }`),
      [
        ['ann', { title: 'Sale' }, `${SHOP}/sale/mugs`],
        ['bob', { title: 'Mugs' }, `${SHOP}/mugs?from=/sale/`],
      ],
      'page',
    );
    expect(fired).toEqual(['ann']);
  });

  test.skipIf(skip !== undefined)('a url property of the event wins over the page URL', async () => {
    const fired = await firesFor(
      onEvent('product', '{ url: { contains: /p/mug } }'),
      [
        ['ann', { id: 'mug', url: '/p/mug' }, `${SHOP}/sale/`],
        ['bob', { id: 'cup', url: '/p/cup' }, `${SHOP}/p/mug`],
      ],
      'product',
    );
    expect(fired).toEqual(['ann']);
  });

  test.skipIf(skip !== undefined)('numeric comparisons read numbers and numeric text, and nothing else', async () => {
    const fired = await firesFor(
      onEvent('checkout', '{ value: { gt: 100 } }'),
      [
        ['ann', { value: 120 }],
        ['bob', { value: '150.5' }],
        ['cid', { value: 100 }],
        ['dan', { value: 'lots' }],
      ],
      'checkout',
    );
    expect(fired).toEqual(['ann', 'bob']);
  });

  test.skipIf(skip !== undefined)('in, ne and exists', async () => {
    expect(await firesFor(onEvent('search', '{ lang: { in: [fr, de] } }'), [['ann', { lang: 'fr' }], ['bob', { lang: 'en' }]])).toEqual(['ann']);
    await harness.close();
    expect(await firesFor(onEvent('search', '{ lang: { ne: en } }'), [['ann', { lang: 'fr' }], ['bob', { lang: 'en' }], ['cid', {}]])).toEqual(['ann', 'cid']);
    await harness.close();
    expect(await firesFor(onEvent('search', '{ filter: { exists: true } }'), [['ann', { filter: 'red' }], ['bob', { filter: '' }], ['cid', {}]])).toEqual(['ann']);
  });
});

describe('conditions in a scenario file', () => {
  test('a condition with two operators is an error naming the line', () => {
    const result = new ScenarioCompiler().compile('two-ops.yaml', onEvent('search', '{ q: { contains: gift, startsWith: red } }'));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems[0]).toMatchObject({ file: 'two-ops.yaml', line: 4, message: expect.stringContaining('exactly one of') });
  });

  test('an empty keyword list is an error', () => {
    const result = new ScenarioCompiler().compile('empty.yaml', onEvent('search', '{ q: { contains: [] } }'));
    expect(result.ok).toBe(false);
  });
});
