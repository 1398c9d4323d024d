import { describe, expect, test } from 'vitest';
import { checkParameters, parseTime, parseTimeRange, shippedQuery } from './catalogue.js';

describe('shipped query parameters', () => {
  test('a time is a UTC day, an ISO date-time or epoch milliseconds', () => {
    expect(parseTime('from', '2025-03-14')).toBe(Date.UTC(2025, 2, 14));
    expect(parseTime('from', '2025-03-14T09:30:00Z')).toBe(Date.UTC(2025, 2, 14, 9, 30));
    expect(parseTime('from', '1741944600000')).toBe(1741944600000);
    expect(parseTime('from', undefined)).toBeUndefined();
  });

  test('a date-time carries its offset, and is read in it', () => {
    expect(parseTime('from', '2025-03-14T10:30:00+01:00')).toBe(Date.UTC(2025, 2, 14, 9, 30));
    expect(parseTime('from', '2025-03-14T09:30Z')).toBe(Date.UTC(2025, 2, 14, 9, 30));
    expect(parseTime('from', '2025-03-14T09:30:00.250-02:30')).toBe(Date.UTC(2025, 2, 14, 12, 0, 0, 250));
  });

  test.each([
    ['a date-time without an offset, which would be read in the local zone', '2025-03-14T09:30:00'],
    ['a day that does not exist', '2025-02-30'],
    ['an hour that does not exist', '2025-03-14T24:30:00Z'],
    ['a day without leading zeros', '2025-3-14'],
    ['a space for the T', '2025-03-14 09:30:00Z'],
    ['a date in words', 'March 14, 2025'],
    ['a bare year', '2025'],
  ])('%s is refused with TW_QUERY_INVALID listing the forms', (_what, text) => {
    expect(() => parseTime('from', text)).toThrow(
      expect.objectContaining({ code: 'TW_QUERY_INVALID', message: expect.stringMatching(/^from .* is not a time; write .*2025-03-14T09:30:00Z.*epoch milliseconds/) }),
    );
  });

  test('a year before 1970 written in full is out of range, not another year', () => {
    expect(() => parseTime('from', '0050-01-01')).toThrow(expect.objectContaining({ code: 'TW_QUERY_INVALID', message: expect.stringMatching(/out of range/) }));
  });

  test('a range whose start is not before its end is refused, in words neither of the CLI nor of the HTTP API', () => {
    expect(() => parseTimeRange('2025-03-14', '2025-03-14')).toThrow(
      expect.objectContaining({ code: 'TW_QUERY_INVALID', message: 'from "2025-03-14" must be before to "2025-03-14": the range takes times from its start up to, not including, its end.' }),
    );
    expect(parseTimeRange('2025-03-14', undefined)).toEqual({ from: Date.UTC(2025, 2, 14) });
  });

  test('an unreadable time is refused with TW_QUERY_INVALID naming the parameter', () => {
    expect(() => parseTime('to', 'yesterday')).toThrow(expect.objectContaining({ code: 'TW_QUERY_INVALID', message: expect.stringMatching(/^to "yesterday"/) }));
  });

  test('a time outside what the warehouse stores is refused with TW_QUERY_INVALID naming the parameter and the range', () => {
    for (const [name, text] of [['from', '100000000000000000000000'], ['to', '4294967296000'], ['as-of', '1969-12-31'], ['from', '+275760-09-13T00:00:00Z']] as const) {
      expect(() => parseTime(name, text)).toThrow(
        expect.objectContaining({ code: 'TW_QUERY_INVALID', message: expect.stringMatching(new RegExp(`^${name} .*1970-01-01.*2106-02-07`)) }),
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
