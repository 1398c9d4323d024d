import type { PropValue, TrackedEvent } from '../events/index.js';
import type { InterestUpdate } from '../state/index.js';

/**
 * What a visitor's events say about their interest in products: a view or a cart add notes it,
 * removing the whole line from the cart drops the cart interest, a purchase drops both for the
 * products bought. (A cart emptied without a line per product is caught at fan-out time, which
 * checks cart interests against the visitor's cart.)
 */
export function interestUpdates(events: readonly TrackedEvent[]): InterestUpdate[] {
  const updates: InterestUpdate[] = [];
  for (const event of events) {
    const product = productId(event.props.id);
    switch (event.type) {
      case 'product':
        if (product !== undefined) updates.push({ kind: 'note', product, interest: 'view', at: event.time });
        break;
      case 'cart_add':
        if (product !== undefined) updates.push({ kind: 'note', product, interest: 'cart', at: event.time });
        break;
      case 'cart_remove':
        // A partial removal (with qty) leaves the line in the cart.
        if (product !== undefined && event.props.qty === undefined) updates.push({ kind: 'drop', product, interest: 'cart' });
        break;
      case 'purchase':
        for (const bought of purchasedIds(event)) {
          updates.push({ kind: 'drop', product: bought, interest: 'cart' }, { kind: 'drop', product: bought, interest: 'view' });
        }
        break;
      default:
        break;
    }
  }
  return updates;
}

function purchasedIds(event: TrackedEvent): string[] {
  const ids = new Set<string>();
  const single = productId(event.props.id);
  if (single !== undefined) ids.add(single);
  const items = event.props.items;
  if (Array.isArray(items)) {
    for (const item of items) {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        const id = productId(item.id);
        if (id !== undefined) ids.add(id);
      }
    }
  }
  return [...ids];
}

function productId(value: PropValue | undefined): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
