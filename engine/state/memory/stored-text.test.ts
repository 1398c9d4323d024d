import { describe, expect, test } from 'vitest';
import { flattened, interned } from './stored-text.js';

/** Built at run time by concatenation, as the scenarios build keys. */
function concatenated(group: string): string {
  return `w:product-viewed-3-times:${group}:${'x'.repeat(20)}`;
}

describe('stored text', () => {
  test.each(['sku-1', '__proto__', '0', '', 'é\u0301 ünïcode'])('interned returns the same text for %j', (group) => {
    const text = concatenated(group);
    expect(interned(text)).toBe(text);
    expect(interned(group)).toBe(group);
  });

  test.each(['sku-1', '', 'é\u0301 ünïcode'])('flattened returns the same text for %j', (group) => {
    const text = concatenated(group);
    expect(flattened(text)).toBe(text);
    expect(flattened(group)).toBe(group);
  });
});
