import { describe, expect, test } from 'vitest';
import { checkParameters, parseTime, shippedQuery } from './catalogue.js';

describe('shipped query parameters', () => {
  test('a time is a UTC day, an ISO date-time or epoch milliseconds', () => {
    expect(parseTime('from', '2025-03-14')).toBe(Date.UTC(2025, 2, 14));
    expect(parseTime('from', '2025-03-14T09:30:00Z')).toBe(Date.UTC(2025, 2, 14, 9, 30));
    expect(parseTime('from', '1741944600000')).toBe(1741944600000);
    expect(parseTime('from', undefined)).toBeUndefined();
  });

  test('an unreadable time is refused with TW_QUERY_INVALID naming the parameter', () => {
    expect(() => parseTime('to', 'yesterday')).toThrow(expect.objectContaining({ code: 'TW_QUERY_INVALID', message: expect.stringContaining('--to') }));
  });

  test('a time outside what the warehouse stores is refused with TW_QUERY_INVALID naming the parameter and the range', () => {
    for (const [name, text] of [['from', '100000000000000000000000'], ['to', '4294967296000'], ['as-of', '1969-12-31'], ['from', '+275760-09-13T00:00:00Z']] as const) {
      expect(() => parseTime(name, text)).toThrow(
        expect.objectContaining({ code: 'TW_QUERY_INVALID', message: expect.stringMatching(new RegExp(`^--${name} .*1970-01-01.*2106-02-07`)) }),
      );
    }
    expect(parseTime('from', '1970-01-01')).toBe(0);
    expect(parseTime('to', '4294967295000')).toBe(4294967295000);
  });

  test('a parameter the query does not take is refused rather than ignored', () => {
    expect(() => checkParameters(shippedQuery('audience-category-viewers'), { categroy: 'teapots' })).toThrow(
      expect.objectContaining({ code: 'TW_QUERY_INVALID' }),
    );
  });

  test('an unknown query name lists the known ones', () => {
    expect(() => shippedQuery('kpis')).toThrow(expect.objectContaining({ message: expect.stringContaining('scenario-kpis') }));
  });
});
