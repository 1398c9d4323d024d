import { describe, expect, test } from 'vitest';
import { money } from './money-filter.js';

describe('the money filter', () => {
  test('formats in an ISO 4217 currency, in any case', () => {
    expect(money(19.9, 'EUR')).toBe('€19.90');
    expect(money(19.9, 'usd')).toBe('$19.90');
    expect(money(19.9)).toBe('19.90');
  });

  test('refuses a currency that is not a code with TW_TEMPLATE_INVALID, saying what to write', () => {
    expect(() => money(19.9, 'EURO')).toThrow(expect.objectContaining({ code: 'TW_TEMPLATE_INVALID', message: expect.stringContaining('"EURO" is not a currency code') }));
  });
});
