import { describe, expect, it } from 'vitest';
import { seenId } from './seen-id.js';

describe('seenId', () => {
  it('keeps an id of up to 11 characters as it is', () => {
    expect(seenId('seed0')).toBe('seed0');
    expect(seenId('abcdefghijk')).toBe('abcdefghijk');
  });

  it('keeps a longer id as an 11-character hash, the same every time', () => {
    const id = 'k3j5h2l1m9q8w7e6r5t4-1z';
    expect(seenId(id)).toHaveLength(11);
    expect(seenId(id)).toBe(seenId(id));
  });

  it('tells apart a hundred thousand tracker ids of one page load', () => {
    const ids = new Set(Array.from({ length: 100_000 }, (_, n) => seenId(`1x9k2m3n4b5v6c7z8-${n.toString(36)}`)));
    expect(ids.size).toBe(100_000);
  });
});
