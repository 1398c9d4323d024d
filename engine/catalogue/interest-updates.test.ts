import { describe, expect, test } from 'vitest';
import type { TrackedEvent } from '../events/index.js';
import { interestUpdates } from './interest-updates.js';

const at = 1_700_000_000_000;
const event = (type: TrackedEvent['type'], props: TrackedEvent['props']): TrackedEvent => ({
  id: 'e',
  site: 's',
  visitor: 'v',
  session: '',
  type,
  time: at,
  receivedAt: at,
  url: '',
  props,
});

describe('interestUpdates', () => {
  test('notes a product view and a cart add, with a numeric id as text', () => {
    expect(interestUpdates([event('product', { id: 42 }), event('cart_add', { id: 'mug' })])).toEqual([
      { kind: 'note', product: '42', interest: 'view', at },
      { kind: 'note', product: 'mug', interest: 'cart', at },
    ]);
  });

  test('drops the cart interest when the whole line is removed, not when some units are', () => {
    expect(interestUpdates([event('cart_remove', { id: 'mug' }), event('cart_remove', { id: 'pot', qty: 1 })])).toEqual([
      { kind: 'drop', product: 'mug', interest: 'cart' },
    ]);
  });

  test('drops both interests in the products a purchase lists', () => {
    expect(interestUpdates([event('purchase', { order: 'A', items: [{ id: 'mug' }] })])).toEqual([
      { kind: 'drop', product: 'mug', interest: 'cart' },
      { kind: 'drop', product: 'mug', interest: 'view' },
    ]);
  });

  test('ignores events without a product id and events that say nothing of products', () => {
    expect(interestUpdates([event('product', {}), event('search', { q: 'mug' }), event('page', {})])).toEqual([]);
  });
});
