/*
 * The CatalogueStore contract: the in-process and Redis catalogues pass this suite. A row sets
 * the fields it carries; a change is detected when an upsert lowers the price (price_drop),
 * turns out_of_stock into in_stock (back_in_stock) or the reverse (out_of_stock).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeId, type CatalogueStore, type ProductUpdate } from '../../engine/catalogue/index.js';
import { describeSkippedContract } from '../support/skipped-suite.js';

export interface OpenedCatalogueStore {
  store: CatalogueStore;
  /** A second handle on the same catalogue, as a second engine would hold. */
  peer: CatalogueStore;
  close(): Promise<void>;
}

export interface CatalogueStoreContractOptions {
  skip?: string;
}

const T0 = 1_700_000_000_000;
const mug: ProductUpdate = { id: 'mug', name: 'Stoneware mug', price: 24, category: 'ceramics', stock: 'in_stock', url: '/p/mug', image: '/img/mug.svg' };

export function describeCatalogueStoreContract(
  name: string,
  open: () => Promise<OpenedCatalogueStore>,
  options: CatalogueStoreContractOptions = {},
): void {
  if (options.skip !== undefined) {
    describeSkippedContract(name, 'CatalogueStore', options.skip);
    return;
  }

  describe(`${name} meets the CatalogueStore contract`, () => {
    let opened: OpenedCatalogueStore;
    let store: CatalogueStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(() => opened.close());

    it('reads back an upserted product, with the time its stock status began', async () => {
      const result = await store.upsert('shop', [mug], T0);
      expect(result).toMatchObject({ created: 1, updated: 0, unchanged: 0, changes: [] });
      expect(await store.product('shop', 'mug')).toEqual({ ...mug, stockSince: T0, updatedAt: T0 });
    });

    it('lists the products of a site, and only of that site', async () => {
      await store.upsert('shop', [mug, { id: 'kettle', name: 'Kettle', price: 60 }], T0);
      await store.upsert('other', [{ id: 'lamp', name: 'Lamp', price: 30 }], T0);
      expect((await store.list('shop')).map((p) => p.id).sort()).toEqual(['kettle', 'mug']);
      expect(await store.product('other', 'mug')).toBeUndefined();
    });

    it('gives a new product without stock, category, url or image their defaults', async () => {
      await store.upsert('shop', [{ id: 'kettle', name: 'Kettle', price: 60 }], T0);
      expect(await store.product('shop', 'kettle')).toMatchObject({ stock: 'in_stock', category: '', url: '', image: '' });
    });

    it('changes only the fields a row carries', async () => {
      await store.upsert('shop', [mug], T0);
      await store.upsert('shop', [{ id: 'mug', name: 'Big mug' }], T0 + 1);
      expect(await store.product('shop', 'mug')).toEqual({ ...mug, name: 'Big mug', stockSince: T0, updatedAt: T0 + 1 });
    });

    it('refuses a new product without a name or a price, naming the row, and writes none of the batch', async () => {
      await expect(store.upsert('shop', [mug, { id: 'ghost', price: 3 }], T0)).rejects.toMatchObject({
        code: 'TW_CATALOGUE_INVALID',
        message: expect.stringContaining('products[1] (id "ghost")'),
      });
      expect(await store.list('shop')).toEqual([]);
    });

    it('refuses a request whose invalid row comes after its first thousand rows, and writes none of the rows before it', async () => {
      const valid = Array.from({ length: 1000 }, (_, i): ProductUpdate => ({ id: `p${i}`, name: `Product ${i}`, price: 10 }));
      await expect(store.upsert('shop', [...valid, { id: 'ghost', price: 3 }], T0)).rejects.toMatchObject({
        code: 'TW_CATALOGUE_INVALID',
        message: expect.stringContaining('products[1000] (id "ghost")'),
      });
      expect(await store.list('shop')).toEqual([]);
    });

    it('still detects a return to stock when a request refused for a row past its first thousand is sent again, corrected', async () => {
      await store.upsert('shop', [{ ...mug, stock: 'out_of_stock' }], T0);
      const filler = Array.from({ length: 999 }, (_, i): ProductUpdate => ({ id: `p${i}`, name: `Product ${i}`, price: 10 }));
      const rows: ProductUpdate[] = [{ id: 'mug', stock: 'in_stock' }, ...filler];
      await expect(store.upsert('shop', [...rows, { id: 'ghost', price: 3 }], T0 + 1)).rejects.toMatchObject({ code: 'TW_CATALOGUE_INVALID' });
      const retried = await store.upsert('shop', [...rows, { id: 'ghost', name: 'Ghost', price: 3 }], T0 + 2);
      expect(retried.changes.map((c) => c.kind)).toEqual(['back_in_stock']);
    });

    it('detects a price drop, with the old price', async () => {
      await store.upsert('shop', [mug], T0);
      const result = await store.upsert('shop', [{ id: 'mug', price: 19.5 }], T0 + 5);
      expect(result.changes).toEqual([
        { kind: 'price_drop', site: 'shop', product: { ...mug, price: 19.5, stockSince: T0, updatedAt: T0 + 5 }, oldPrice: 24, previousStockSince: T0, at: T0 + 5 },
      ]);
    });

    it('sees no change in a price rise', async () => {
      await store.upsert('shop', [mug], T0);
      expect((await store.upsert('shop', [{ id: 'mug', price: 30 }], T0 + 5)).changes).toEqual([]);
    });

    it('detects a product going out of stock, and its return with the time it went out', async () => {
      await store.upsert('shop', [mug], T0);
      const out = await store.upsert('shop', [{ id: 'mug', stock: 'out_of_stock' }], T0 + 10);
      expect(out.changes.map((c) => c.kind)).toEqual(['out_of_stock']);
      const back = await store.upsert('shop', [{ id: 'mug', stock: 'in_stock' }], T0 + 20);
      expect(back.changes).toMatchObject([{ kind: 'back_in_stock', previousStockSince: T0 + 10, product: { stock: 'in_stock', stockSince: T0 + 20 } }]);
    });

    it('reports a price drop and a return to stock made by one row as two changes', async () => {
      await store.upsert('shop', [{ ...mug, stock: 'out_of_stock' }], T0);
      const result = await store.upsert('shop', [{ id: 'mug', stock: 'in_stock', price: 20 }], T0 + 1);
      expect(result.changes.map((c) => c.kind)).toEqual(['price_drop', 'back_in_stock']);
    });

    it('sees no change in a product it did not have', async () => {
      expect((await store.upsert('shop', [{ ...mug, stock: 'out_of_stock' }], T0)).changes).toEqual([]);
    });

    it('records the fan-outs an upsert detects with its write, pending for every engine until they are marked delivered', async () => {
      await store.upsert('shop', [{ ...mug, stock: 'out_of_stock' }], T0);
      expect(await store.pendingFanOuts('shop')).toEqual([]);
      const back = await store.upsert('shop', [{ id: 'mug', stock: 'in_stock', price: 20 }], T0 + 1);
      expect(await opened.peer.pendingFanOuts('shop')).toEqual(back.changes);
      expect(await store.pendingFanOuts('other')).toEqual([]);
      await opened.peer.fanOutDelivered('shop', [changeId(back.changes[0]!)]);
      expect(await store.pendingFanOuts('shop')).toEqual([back.changes[1]]);
      await store.fanOutDelivered('shop', [changeId(back.changes[1]!)]);
      expect(await store.pendingFanOuts('shop')).toEqual([]);
    });

    it('records no fan-out for a product going out of stock, nor for a refused request', async () => {
      await store.upsert('shop', [mug], T0);
      await store.upsert('shop', [{ id: 'mug', stock: 'out_of_stock' }], T0 + 1);
      await expect(store.upsert('shop', [{ id: 'mug', stock: 'in_stock' }, { id: 'ghost', price: 3 }], T0 + 2)).rejects.toMatchObject({ code: 'TW_CATALOGUE_INVALID' });
      expect(await store.pendingFanOuts('shop')).toEqual([]);
    });

    it('counts a row that changes nothing as unchanged and leaves the product as it was', async () => {
      await store.upsert('shop', [mug], T0);
      const result = await store.upsert('shop', [mug], T0 + 7);
      expect(result).toMatchObject({ created: 0, updated: 0, unchanged: 1, changes: [] });
      expect((await store.product('shop', 'mug'))?.updatedAt).toBe(T0);
    });

    it('applies rows for one product in order within a batch', async () => {
      const result = await store.upsert('shop', [mug, { id: 'mug', price: 20 }, { id: 'mug', price: 18 }], T0);
      expect(result.changes.map((c) => [c.kind, c.oldPrice, c.product.price])).toEqual([
        ['price_drop', 24, 20],
        ['price_drop', 20, 18],
      ]);
      expect((await store.product('shop', 'mug'))?.price).toBe(18);
    });

    it('detects a return to stock once when two engines report it at the same time', async () => {
      await store.upsert('shop', [{ ...mug, stock: 'out_of_stock' }], T0);
      const results = await Promise.all([
        store.upsert('shop', [{ id: 'mug', stock: 'in_stock' }], T0 + 1),
        opened.peer.upsert('shop', [{ id: 'mug', stock: 'in_stock' }], T0 + 1),
      ]);
      expect(results.flatMap((r) => r.changes).map((c) => c.kind)).toEqual(['back_in_stock']);
    });

    it('detects each of two concurrent price drops against the price before it', async () => {
      await store.upsert('shop', [mug], T0);
      const results = await Promise.all([
        store.upsert('shop', [{ id: 'mug', price: 20 }], T0 + 1),
        opened.peer.upsert('shop', [{ id: 'mug', price: 15 }], T0 + 1),
      ]);
      const drops = results.flatMap((r) => r.changes).map((c) => [c.oldPrice, c.product.price]);
      // Serialised one way or the other: 24 → 20 → 15 (two drops) or 24 → 15, then 20 is a rise.
      expect([[[24, 20], [20, 15]], [[24, 15]]]).toContainEqual(drops.sort((a, b) => b[0]! - a[0]!));
    });
  });
}
