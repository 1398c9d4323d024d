import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { WarehouseBackend } from '../../engine/warehouse/index.js';
import { clusterDdl } from '../../engine/warehouse/index.js';
import { ChdbWarehouse } from '../../engine/warehouse/chdb/index.js';
import { ServerWarehouse } from '../../engine/warehouse/server/index.js';
import { clickhouseForTests } from '../support/clickhouse-server.js';
import { conversionRow, deliveryRow, eventRow, triggerRow } from './warehouse.contract.js';

/**
 * docs/analysts.md cannot rot: every ```sql example in it runs here, on chdb and on a ClickHouse server, and returns rows.
 * So do the starter queries the README and docs/warehouse.md show.
 */
const read = (path: string) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');
const GUIDE = read('docs/analysts.md');
const STARTERS = ['README.md', 'docs/warehouse.md'];

interface Block {
  heading: string;
  sql: string;
  marker: string | undefined;
}

function sqlBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const pattern = /(?:^|\n)([^\n]*)\n```sql\n([\s\S]*?)\n```/g;
  for (let match = pattern.exec(markdown); match !== null; match = pattern.exec(markdown)) {
    const bold = [...markdown.slice(0, match.index + match[0].indexOf('```')).matchAll(/\*\*([^*]+)\*\*/g)];
    const heading = bold[bold.length - 1]?.[1] ?? `block at ${match.index}`;
    blocks.push({ heading, sql: match[2]!, marker: /<!-- cluster-ddl/.test(match[1]!) ? match[1] : undefined });
  }
  return blocks;
}

const blocks = sqlBlocks(GUIDE);
const examples = blocks.filter((block) => block.marker === undefined);
const starters = STARTERS.flatMap((path) => sqlBlocks(read(path)).map((block, index) => ({ ...block, heading: `${path}, query ${index + 1}` })));

/** Analysts write `tripwire.events`; the tests run in a database of their own. */
function inTestDatabase(sql: string): string {
  return sql.replace(/\btripwire\.(events|triggers|deliveries|conversions)\b/g, '{$1}');
}

const server = await clickhouseForTests();
const folder = mkdtempSync(join(tmpdir(), 'tw-chdb-docs-'));
const database = `tw_docs_${randomUUID().replaceAll('-', '').slice(0, 10)}`;

afterAll(async () => {
  if ('url' in server) {
    const admin = createClient({ url: server.url, log: { level: ClickHouseLogLevel.OFF } });
    await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await admin.close();
    await server.stop();
  }
  rmSync(folder, { recursive: true, force: true });
});

describe('docs/analysts.md', () => {
  test('has at least ten example queries', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  test('the README and docs/warehouse.md each show starter queries', () => {
    for (const path of STARTERS) expect(starters.filter((block) => block.heading.startsWith(path)).length, path).toBeGreaterThanOrEqual(2);
  });

  test('shows the cluster DDL exactly as clusterDdl generates it', () => {
    const shown = blocks.find((block) => block.marker !== undefined);
    expect(shown?.sql).toBe(clusterDdl({ cluster: 'tripwire' }).map((statement) => `${statement};`).join('\n\n'));
  });

  const backends: Array<{ name: string; skip: string | undefined; open: () => Promise<WarehouseBackend> }> = [
    { name: 'chdb', skip: undefined, open: () => ChdbWarehouse.open(folder, { database }) },
    {
      name: 'ClickHouse server',
      skip: 'skip' in server ? server.skip : undefined,
      open: () => ServerWarehouse.connect((server as { url: string }).url, { database }),
    },
  ];

  describe.each(backends)('example queries on $name', ({ skip, open }) => {
    let backend: WarehouseBackend;

    beforeAll(async () => {
      if (skip !== undefined) return;
      backend = await open();
      await backend.migrate();
      await seed(backend, Date.now());
    });

    afterAll(async () => {
      await backend?.close();
    });

    test.skipIf(skip !== undefined).each([...examples, ...starters].map((block) => [block.heading, block.sql]))('%s', async (_heading, sql) => {
      const rows = await backend.query(inTestDatabase(sql));
      expect(rows.length).toBeGreaterThan(0);
    });
  });
});

/** A few days of a shop, two days ago, so that every example has something to find. */
async function seed(backend: WarehouseBackend, now: number): Promise<void> {
  const at = now - 2 * 86_400_000;
  const minute = 60_000;
  await backend.insert('triggers', [
    triggerRow({ trigger_id: 't-a1', visitor_id: 'a1', scenario_id: 'cart-rescue', variant: 'A', time: at }),
    triggerRow({ trigger_id: 't-a2', visitor_id: 'a2', scenario_id: 'cart-rescue', variant: 'A', time: at }),
    triggerRow({ visitor_id: 'c1', scenario_id: 'cart-rescue', variant: 'control', status: 'suppressed', reason: 'control', time: at }),
    triggerRow({ visitor_id: 's1', scenario_id: 'cart-rescue', variant: 'A', status: 'suppressed', reason: 'cooldown', time: at }),
    triggerRow({ trigger_id: 't-b1', visitor_id: 'b1', scenario_id: 'welcome-back', channel: 'email', time: at }),
  ]);
  await backend.insert('deliveries', [
    deliveryRow({ trigger_id: 't-a1', visitor_id: 'a1', scenario_id: 'cart-rescue', status: 'shown', time: at + 1000 }),
    deliveryRow({ trigger_id: 't-a1', visitor_id: 'a1', scenario_id: 'cart-rescue', status: 'clicked', time: at + 5000 }),
    deliveryRow({ trigger_id: 't-a2', visitor_id: 'a2', scenario_id: 'cart-rescue', status: 'shown', time: at + 1000 }),
    deliveryRow({ trigger_id: 't-b1', visitor_id: 'b1', scenario_id: 'welcome-back', channel: 'email', status: 'sent', time: at + 1000 }),
    deliveryRow({ trigger_id: 't-b1', visitor_id: 'b1', scenario_id: 'welcome-back', channel: 'email', status: 'opened', time: at + 60_000 }),
  ]);
  await backend.insert('conversions', [
    conversionRow({ visitor_id: 'a1', order_id: 'o-1', value: 100, time: at + 60 * minute }),
    conversionRow({ visitor_id: 'c1', order_id: 'o-2', value: 30, time: at + 90 * minute }),
  ]);
  const event = (visitor: string, type: string, offset: number, extra: Parameters<typeof eventRow>[0] = {}) =>
    eventRow({ visitor_id: visitor, type, time: at + offset * minute, ...extra });
  await backend.insert('events', [
    event('w1', 'category', 0, { category: 'teapots' }),
    event('w1', 'product', 1, { category: 'teapots', product_id: 'p-kettle' }),
    event('w2', 'product', 2, { product_id: 'p-kettle' }),
    event('w3', 'product', 3, { product_id: 'p-kettle' }),
    event('x1', 'identify', 0, { props: '{"verified":true,"email":"x1@example.com"}' }),
    event('x1', 'consent', 0, { props: '{"email":true,"wording":"Email me offers"}' }),
    event('x1', 'cart_add', 5, { product_id: 'p-kettle', value: 40 }),
    event('v1', 'search', 0, { search_query: 'kettle' }),
    event('v1', 'product', 1, { product_id: 'p-mug' }),
    event('v1', 'cart_add', 2, { product_id: 'p-mug', value: 12 }),
    event('v1', 'checkout', 10),
    event('v1', 'purchase', 12, { value: 12 }),
  ]);
}
