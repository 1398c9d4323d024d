import type { CatalogueChange } from './product.js';

/**
 * A change's identity: the id of the events its fan-out emits, so a fan-out sent twice (retried,
 * or by two engines) is deduplicated per visitor by the window store, and the key under which
 * the catalogue store keeps it pending.
 */
export function changeId(change: CatalogueChange): string {
  return `${change.kind}:${change.product.id}:${change.at}`;
}

/** Changes that tell visitors something; a product going out of stock tells no one. */
export function fansOut(change: CatalogueChange): boolean {
  return change.kind !== 'out_of_stock';
}

const KIND_ORDER: Readonly<Record<CatalogueChange['kind'], number>> = { price_drop: 0, back_in_stock: 1, out_of_stock: 2 };

/** Pending fan-outs in the order their changes were made, whichever order a store keeps them in. */
export function inOrderMade(changes: CatalogueChange[]): CatalogueChange[] {
  return changes.sort(
    (a, b) => a.at - b.at || (a.product.id < b.product.id ? -1 : a.product.id > b.product.id ? 1 : 0) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind],
  );
}
