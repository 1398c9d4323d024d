import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickhouseForTests } from '../../../../test/support/clickhouse-server.js';
import { ManualClock } from '../../../events/index.js';
import type { EventRow, WarehouseBackend } from '../../../warehouse/index.js';
import { ChdbWarehouse } from '../../../warehouse/chdb/index.js';
import { ServerWarehouse } from '../../../warehouse/server/index.js';
import { WarehouseRecommender } from './index.js';

const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);
const DAY = 86_400_000;
let sequence = 0;

function event(visitor: string, type: string, fields: Partial<EventRow> = {}, time = NOW - DAY): EventRow {
  return {
    site: 'acme',
    visitor_id: visitor,
    session_id: `${visitor}-s`,
    event_id: `e${++sequence}`,
    type,
    time,
    received_at: time,
    url: 'https://acme.test/',
    product_id: '',
    category: '',
    search_query: '',
    value: 0,
    props: '{}',
    ...fields,
  };
}

const view = (visitor: string, product: string, category: string, time?: number) =>
  event(visitor, 'product', { product_id: product, category }, time);
const purchase = (visitor: string, items: string[]) =>
  event(visitor, 'purchase', { props: JSON.stringify({ order: `o${sequence}`, items: items.map((id) => ({ id, qty: 1, price: 10 })) }) });

/**
 * Who viewed what: guji, huila and kenya are coffee, kettle is brewing gear. Three other
 * visitors looked at guji; the recipient ("me") did too, plus a product nobody else saw.
 */
const EVENTS: EventRow[] = [
  view('v1', 'guji', 'coffee'), view('v1', 'huila', 'coffee'), view('v1', 'kettle', 'brewing'),
  view('v2', 'guji', 'coffee'), view('v2', 'huila', 'coffee'),
  view('v3', 'guji', 'coffee'), view('v3', 'mug', 'ceramics'),
  view('me', 'guji', 'coffee'), view('me', 'private', 'coffee'),
  view('v9', 'kenya', 'coffee'),
  view('old', 'guji', 'coffee', NOW - 90 * DAY), view('old', 'ancient', 'coffee', NOW - 90 * DAY),
  event('other-site', 'product', { site: 'elsewhere', product_id: 'huila', category: 'coffee' }),
  purchase('v4', ['kenya']), purchase('v5', ['kenya', 'kettle']), purchase('v6', ['kenya']),
  purchase('v7', ['huila']), purchase('v8', ['kettle', 'kettle']),
];

function describeRecommender(name: string, open: () => Promise<WarehouseBackend | { skip: string }>): void {
  describe(`WarehouseRecommender on ${name}`, () => {
    let warehouse: WarehouseBackend | undefined;
    let skipped: string | undefined;
    let recommender: WarehouseRecommender;

    beforeAll(async () => {
      const opened = await open();
      if ('skip' in opened) {
        skipped = opened.skip;
        return;
      }
      warehouse = opened;
      await warehouse.migrate();
      await warehouse.insert('events', EVENTS);
      recommender = new WarehouseRecommender({ warehouse, clock: new ManualClock(NOW), lookback: 30 * DAY });
    });
    afterAll(() => warehouse?.close());

    it('recommends what other viewers of the product viewed, the most shared first', async ({ skip }) => {
      if (skipped) skip(skipped);
      const picks = await recommender.recommend({ site: 'acme', visitor: 'me', products: ['guji'], limit: 3 });

      expect(picks).toEqual([
        { productId: 'huila', reason: 'co-viewed', score: 2 },
        { productId: 'kettle', reason: 'co-viewed', score: 1 },
        { productId: 'mug', reason: 'co-viewed', score: 1 },
      ]);
    });

    it('fills the list with the best sellers of the product\'s category', async ({ skip }) => {
      if (skipped) skip(skipped);
      const picks = await recommender.recommend({ site: 'acme', visitor: 'me', products: ['guji'], limit: 5 });

      expect(picks.slice(3)).toEqual([{ productId: 'kenya', reason: 'best-seller', score: 3 }]);
    });

    it('ranks best sellers by units sold within the category only', async ({ skip }) => {
      if (skipped) skip(skipped);
      const picks = await recommender.recommend({ site: 'acme', visitor: 'me', products: ['kenya'], limit: 5 });

      expect(picks).toEqual([{ productId: 'huila', reason: 'best-seller', score: 1 }]);
    });

    it('recommends the best sellers of the whole shop when the email is about no product', async ({ skip }) => {
      if (skipped) skip(skipped);
      const picks = await recommender.recommend({ site: 'acme', visitor: 'me', products: [], limit: 2 });

      expect(picks).toEqual([
        { productId: 'kenya', reason: 'best-seller', score: 3 },
        { productId: 'kettle', reason: 'best-seller', score: 3 },
      ]);
    });

    it('ignores the recipient\'s own views, other sites and events older than the lookback', async ({ skip }) => {
      if (skipped) skip(skipped);
      const picks = await recommender.recommend({ site: 'acme', visitor: 'me', products: ['guji'], limit: 10 });

      expect(picks.map((pick) => pick.productId)).not.toContain('private');
      expect(picks.map((pick) => pick.productId)).not.toContain('ancient');
      expect(picks.find((pick) => pick.productId === 'huila')?.score).toBe(2);
    });
  });
}

const chdbFolder = mkdtempSync(join(tmpdir(), 'tw-recommend-'));
afterAll(() => rmSync(chdbFolder, { recursive: true, force: true }));
describeRecommender('chdb', () => ChdbWarehouse.open(chdbFolder, { database: 'tw_recommend' }));

const server = await clickhouseForTests();
afterAll(async () => {
  if ('stop' in server) await server.stop();
});
describeRecommender('a ClickHouse server', async () =>
  'skip' in server ? { skip: server.skip } : ServerWarehouse.connect(server.url, { database: `tw_recommend_${randomBytes(4).toString('hex')}` }),
);
