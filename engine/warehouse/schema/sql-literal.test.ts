import { describe, expect, test } from 'vitest';
import { TripwireError } from '../../errors.js';
import { sqlIdentifier, sqlNumber, sqlString } from './sql-literal.js';

describe('sqlString', () => {
  test('escapes quotes and backslashes', () => {
    expect(sqlString(`it's a \\ path`)).toBe(`'it\\'s a \\\\ path'`);
  });

  test('writes control characters as \\xHH so a NUL never reaches the query text', () => {
    expect(sqlString('a\0b\nc\x7f')).toBe(`'a\\x00b\\x0ac\\x7f'`);
  });

  test('leaves non-ASCII text as it is', () => {
    expect(sqlString('Zoë 🛒')).toBe(`'Zoë 🛒'`);
  });
});

describe('sqlNumber', () => {
  test('writes finite numbers', () => {
    expect(sqlNumber(-1.5)).toBe('-1.5');
  });

  test('refuses NaN and infinities', () => {
    expect(() => sqlNumber(Number.NaN)).toThrow(TripwireError);
    expect(() => sqlNumber(Number.POSITIVE_INFINITY)).toThrow(TripwireError);
  });
});

describe('sqlIdentifier', () => {
  test('accepts plain names', () => {
    expect(sqlIdentifier('tripwire_staging')).toBe('tripwire_staging');
  });

  test('refuses names that would need quoting, with TW_CONFIG_INVALID', () => {
    for (const name of ['', '1st', 'a-b', 'a.b', 'x`; DROP', 'é']) {
      expect(() => sqlIdentifier(name)).toThrow(expect.objectContaining({ code: 'TW_CONFIG_INVALID' }));
    }
  });
});
