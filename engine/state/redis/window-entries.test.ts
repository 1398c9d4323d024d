import { describe, expect, it } from 'vitest';
import { WindowIds, WINDOW_ID_LENGTH, TIME_WIDTH, entryMember, entryTime, windowRange } from './window-entries.js';

describe('window entries', () => {
  it('writes times in a fixed width whose text order is time order', () => {
    const times = [0, 1, 63, 64, 65, 4095, 1_800_000_000_000, 1_800_000_000_001, 2 ** 42 - 2];
    const texts = times.map(entryTime);
    expect(texts.every((text) => text.length === TIME_WIDTH)).toBe(true);
    // Byte order, as Redis compares: no locale.
    expect([...texts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(texts);
  });

  it('ranges (at - span, at] as [floor + 1, at + 1)', () => {
    expect(windowRange(10_000, 3000)).toEqual({ from: entryTime(7001), until: entryTime(10_001) });
  });

  it('starts a range at 0 when the span reaches back before it', () => {
    expect(windowRange(1000, 5000).from).toBe(entryTime(0));
  });

  it('counts from the next whole ms after a fractional floor', () => {
    expect(windowRange(1000, 0.5).from).toBe(entryTime(1000));
  });

  it('refuses times it cannot write', () => {
    for (const at of [-1, 1.5, 2 ** 42, Number.NaN]) expect(() => windowRange(at, 1000)).toThrow(expect.objectContaining({ code: 'TW_BAD_EVENT' }));
  });

  it('gives each relative key a fixed-length id, the same every time', () => {
    const ids = new WindowIds();
    expect(ids.of('w:product-viewed-3-times:sku-1')).toHaveLength(WINDOW_ID_LENGTH);
    expect(ids.of('cap:popin')).toBe(new WindowIds().of('cap:popin'));
    expect(ids.of('w:a:sku-1')).not.toBe(ids.of('w:a:sku-2'));
  });

  it('keeps short members as they are and hashes long ones to 11 characters', () => {
    expect(entryMember('sku-1')).toBe('sku-1');
    expect(entryMember('view-abandoned-price-drop:k3j5h2l1m9q8w7e6r5t4-1z')).toHaveLength(11);
  });
});
