import { describe, expect, test } from 'vitest';
import { capabilitiesOf } from './capabilities.js';

describe('capabilitiesOf', () => {
  test("Debian's 18.16 has none of the newer features", () => {
    expect(capabilitiesOf('18.16.1')).toEqual({
      version: '18.16.1',
      lowCardinality: false,
      dateTime64: false,
      ttl: false,
      asyncInsert: false,
      insertDeduplicationToken: false,
      queryParameters: false,
    });
  });

  test('a current release (chdb 3.4 embeds 26.7) has all of them', () => {
    expect(capabilitiesOf('26.7.2.1')).toEqual({
      version: '26.7.2.1',
      lowCardinality: true,
      dateTime64: true,
      ttl: true,
      asyncInsert: true,
      insertDeduplicationToken: true,
      queryParameters: true,
    });
  });

  test('each feature starts at its first release', () => {
    expect(capabilitiesOf('19.5.1').ttl).toBe(false);
    expect(capabilitiesOf('19.6.1').ttl).toBe(true);
    expect(capabilitiesOf('22.1.3').insertDeduplicationToken).toBe(false);
    expect(capabilitiesOf('22.2.1').insertDeduplicationToken).toBe(true);
  });

  test('an unreadable version is treated as the oldest supported server', () => {
    expect(capabilitiesOf('unknown')).toMatchObject({ lowCardinality: false, dateTime64: false });
  });
});
