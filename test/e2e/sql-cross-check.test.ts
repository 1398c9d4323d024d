import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBacktest } from '../../engine/backtest/index.js';
import type { TrackedEvent } from '../../engine/events/index.js';
import { eventRow } from '../../engine/pipeline/index.js';
import { ScenarioCompiler } from '../../engine/scenarios/index.js';
import type { WarehouseBackend } from '../../engine/warehouse/index.js';
import { ChdbWarehouse } from '../../engine/warehouse/chdb/index.js';
import { ServerWarehouse } from '../../engine/warehouse/server/index.js';
import { clickhouseForTests } from '../support/clickhouse-server.js';

/**
 * The engine and an independent computation in SQL must agree on who a scenario fires for.
 * The SQL is written from the documented semantics, not from the engine's code.
 */
const compiler = new ScenarioCompiler();
const VIEWED_3 = compiler.compileOrThrow('viewed-3.yaml', 'id: viewed-3\nwhen: { count: { event: product, per: id, atLeast: 3, within: 30m } }\nthen: { popin: { title: t } }\n')!;
const CART_LEFT = compiler.compileOrThrow(
  'cart-left.yaml',
  'id: cart-left\nwhen: { absence: { after: { event: cart_add }, missing: { event: [checkout, purchase] }, within: 1h } }\nthen: { popin: { title: t } }\n',
)!;

const START = Date.UTC(2026, 2, 2, 8, 0, 0);
const END = START + 2 * 86_400_000;

/** A seeded stream: 60 shoppers browsing three products over two days, some adding to cart, some buying. */
function shopperStream(seed: number): TrackedEvent[] {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
  const events: TrackedEvent[] = [];
  for (let v = 0; v < 60; v++) {
    let at = START + Math.floor(random() * 86_400_000);
    const count = 3 + Math.floor(random() * 25);
    for (let n = 0; n < count; n++) {
      // Unique times per visitor: ties would make "the third view" ambiguous for any implementation.
      at += 1 + Math.floor(random() * (random() < 0.7 ? 8 : 90) * 60_000);
      const roll = random();
      const type = roll < 0.6 ? 'product' : roll < 0.8 ? 'cart_add' : roll < 0.88 ? 'checkout' : roll < 0.93 ? 'purchase' : 'page';
      const product = ['mug', 'cup', 'pot'][Math.floor(random() * 3)]!;
      const props: TrackedEvent['props'] = type === 'product' || type === 'cart_add' ? { id: product, price: 10 } : type === 'purchase' ? { order: `o${v}-${n}`, value: 10 } : {};
      events.push({ id: `v${v}-${n}`, site: 'demo', visitor: `v${v}`, session: 's', type, time: at, receivedAt: at, url: 'https://shop.example/', props });
    }
  }
  return events.filter((event) => event.time < END).sort((a, b) => a.time - b.time || a.id.localeCompare(b.id));
}

/** Count crossing: a product view is the one that brings its product's views within (t - 30 min, t] to exactly 3. */
const VIEWED_3_SQL = `
SELECT visitor_id, event_id FROM (
  SELECT visitor_id, product_id, groupArray(time_ms) AS ts, groupArray(event_id) AS ids
  FROM (SELECT visitor_id, product_id, time_ms, event_id FROM {events} WHERE type = 'product' ORDER BY time_ms)
  GROUP BY visitor_id, product_id
)
ARRAY JOIN ts AS t, ids AS event_id
WHERE arrayCount(x -> x > t - 1800000 AND x <= t, ts) = 3
ORDER BY visitor_id, event_id`;

/** Absence: a cart add not followed by another cart add, a checkout or a purchase within the hour (ties go to the timer). */
const CART_LEFT_SQL = `
SELECT visitor_id, event_id FROM (
  SELECT visitor_id, groupArray(time_ms) AS ts, groupArray(type) AS types, groupArray(event_id) AS ids
  FROM (SELECT visitor_id, time_ms, type, event_id FROM {events} WHERE type IN ('cart_add', 'checkout', 'purchase') ORDER BY time_ms)
  GROUP BY visitor_id
)
ARRAY JOIN ts AS t, types AS type, ids AS event_id, arrayEnumerate(ts) AS i
WHERE type = 'cart_add' AND (i = length(ts) OR ts[i + 1] >= t + 3600000) AND t + 3600000 <= ${END}
ORDER BY visitor_id, event_id`;

const server = await clickhouseForTests();
afterAll(async () => {
  if ('stop' in server) await server.stop();
});

const backends: Array<{ name: string; skip: string | undefined; open: (dir: string) => Promise<WarehouseBackend> }> = [
  { name: 'chdb', skip: undefined, open: (dir) => ChdbWarehouse.open(join(dir, 'chdb'), { database: 'crosscheck' }) },
  {
    name: 'a ClickHouse server',
    skip: 'skip' in server ? server.skip : undefined,
    open: () => ServerWarehouse.connect((server as { url: string }).url, { database: `crosscheck_${randomBytes(4).toString('hex')}` }),
  },
];

describe.each(backends)('the engine agrees with SQL over the same events, on $name', ({ skip, open }) => {
  let warehouse: WarehouseBackend;
  let dir: string;
  const stream = shopperStream(42);

  beforeAll(async () => {
    if (skip !== undefined) return;
    dir = await mkdtemp(join(tmpdir(), 'tw-crosscheck-'));
    warehouse = await open(dir);
    await warehouse.migrate();
    await warehouse.insert('events', stream.map(eventRow));
  });

  afterAll(async () => {
    await warehouse?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const replay = async (scenario = [VIEWED_3, CART_LEFT]) => {
    const report = await runBacktest({
      warehouse,
      scenarios: scenario,
      sites: [{ key: 'demo', name: 'Demo', url: 'https://shop.example', from: 'shop@example.test', requireVerifiedEmail: true }],
      caps: { popin: { limit: 1_000_000, within: 60_000 }, email: { limit: 1, within: 60_000 }, webhook: { limit: 1, within: 60_000 } },
      range: { from: START, to: END },
    });
    return report.triggers;
  };

  test.skipIf(skip !== undefined)('product viewed 3 times in 30 minutes', async () => {
    const engine = (await replay([VIEWED_3])).map((row) => `${row.visitor_id} ${row.event_id}`).sort();
    const sql = (await warehouse.query<{ visitor_id: string; event_id: string }>(VIEWED_3_SQL)).map((row) => `${row.visitor_id} ${row.event_id}`).sort();
    expect(sql.length).toBeGreaterThan(10);
    expect(engine).toEqual(sql);
  });

  test.skipIf(skip !== undefined)('cart abandoned for an hour', async () => {
    const engine = (await replay([CART_LEFT])).map((row) => `${row.visitor_id} ${row.event_id}`).sort();
    const sql = (await warehouse.query<{ visitor_id: string; event_id: string }>(CART_LEFT_SQL)).map((row) => `${row.visitor_id} ${row.event_id}`).sort();
    expect(sql.length).toBeGreaterThan(10);
    expect(engine).toEqual(sql);
  });
});
