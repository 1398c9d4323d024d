import { describe, expect, test } from 'vitest';
import type { TrackedEvent } from '../../events/index.js';
import type { StateOp } from '../../state/index.js';
import { hasConsent, readCart, visitorOps } from './visitor-model.js';

const event = (type: TrackedEvent['type'], props: TrackedEvent['props']): TrackedEvent => ({
  id: 'e1',
  site: 'shop',
  visitor: 'ann',
  session: 's',
  type,
  time: 1_000,
  receivedAt: 1_000,
  url: 'https://shop.example/signup',
  props,
});

const opsOf = (e: TrackedEvent) => {
  const ops: StateOp[] = [];
  visitorOps(e, ops);
  return ops;
};

describe('the visitor model', () => {
  test('records a consent with when and where it was given', () => {
    expect(opsOf(event('consent', { email: true, wording: 'Email me offers' }))).toEqual([
      { kind: 'hash.set', hash: 'profile', field: 'consent.email', value: '1' },
      { kind: 'hash.set', hash: 'profile', field: 'consent.email.at', value: '1000' },
      {
        kind: 'hash.set',
        hash: 'profile',
        field: 'consent.email.source',
        value: JSON.stringify({ url: 'https://shop.example/signup', wording: 'Email me offers', event: 'e1' }),
      },
      { kind: 'hash.copy', hash: 'profile', field: 'consent.email.for', from: 'email' },
    ]);
  });

  test('an email consent counts for the address it was given for only', () => {
    const consented = { 'consent.email': '1', 'consent.email.for': 'ann@example.test' };
    expect(hasConsent({ ...consented, email: 'ann@example.test' }, 'email')).toBe(true);
    expect(hasConsent({ ...consented, email: 'bob@example.test' }, 'email')).toBe(false);
    expect(hasConsent({ 'consent.email': '1', email: 'ann@example.test' }, 'email')).toBe(true);
    expect(hasConsent({ ...consented, 'consent.email': '0', email: 'ann@example.test' }, 'email')).toBe(false);
    expect(hasConsent({ 'consent.analytics': '1', email: 'bob@example.test' }, 'analytics')).toBe(true);
  });

  test('keeps an identify email lowercased and marks whether the site verified it', () => {
    expect(opsOf(event('identify', { email: 'Ann@Example.test', verified: true }))).toEqual([
      { kind: 'hash.set', hash: 'profile', field: 'email', value: 'ann@example.test' },
      { kind: 'hash.set', hash: 'profile', field: 'email_verified', value: '1' },
      { kind: 'hash.setIfAbsent', hash: 'profile', field: 'consent.email.for', value: 'ann@example.test' },
    ]);
  });

  test('counts cart quantities up and down, and drops a line with its last unit', () => {
    expect(opsOf(event('cart_add', { id: 'mug', name: 'Mug', price: 12, qty: 2 }))).toEqual([
      { kind: 'hash.set', hash: 'cart', field: 'l:mug', value: JSON.stringify({ id: 'mug', name: 'Mug', price: 12 }) },
      { kind: 'hash.increment', hash: 'cart', field: 'q:mug', by: 2 },
    ]);
    expect(opsOf(event('cart_remove', { id: 'mug', qty: 1 }))).toEqual([{ kind: 'hash.increment', hash: 'cart', field: 'q:mug', by: -1 }]);
    expect(readCart({ 'l:mug': JSON.stringify({ id: 'mug', name: 'Mug', price: 12 }), 'q:mug': '1', 'l:cup': '{"id":"cup","name":"Cup","price":3}' })).toEqual([
      { id: 'mug', name: 'Mug', price: 12, qty: 1 },
    ]);
  });
});
