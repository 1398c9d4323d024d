import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioTag } from './scenario-tag.js';

describe('scenarioTag', () => {
  it('names a scenario the same way on every run, so state survives restarts', () => {
    expect(scenarioTag('cart-abandoned')).toBe(scenarioTag('cart-abandoned'));
    expect(scenarioTag('cart-abandoned')).toMatchInlineSnapshot(`"1q32i3v3"`);
  });

  it('is at most 8 base-36 characters, whatever the id', () => {
    for (const id of ['a', 'view-abandoned-price-drop', 'x'.repeat(200)]) expect(scenarioTag(id)).toMatch(/^[0-9a-z]{1,8}$/);
  });

  it('tells every scenario of the built-in pack apart', () => {
    const ids = readdirSync(new URL('../pack/', import.meta.url)).filter((file) => file.endsWith('.yaml')).map((file) => file.slice(0, -5));
    expect(new Set(ids.map(scenarioTag)).size).toBe(ids.length);
  });
});
