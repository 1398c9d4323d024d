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

  test('a parameter the query does not take is refused rather than ignored', () => {
    expect(() => checkParameters(shippedQuery('audience-category-viewers'), { categroy: 'teapots' })).toThrow(
      expect.objectContaining({ code: 'TW_QUERY_INVALID' }),
    );
  });

  test('an unknown query name lists the known ones', () => {
    expect(() => shippedQuery('kpis')).toThrow(expect.objectContaining({ message: expect.stringContaining('scenario-kpis') }));
  });
});
