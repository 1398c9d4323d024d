/**
 * Writes seeded shopper sessions as NDJSON for `npm run bench -- --replay FILE`:
 *   npx tsx bench/generate.ts --out shoppers.ndjson [--seed 1] [--visitors 10000] [--days 7] [--start 2026-01-05]
 */
import { parseArgs } from 'node:util';
import { generateShopperSessions, writeNdjson } from './generator/index.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
    visitors: { type: 'string', default: '10000' },
    days: { type: 'string', default: '7' },
    start: { type: 'string', default: '2026-01-05' },
  },
});
if (values.out === undefined) throw new Error('bench/generate.ts: give --out FILE (NDJSON is written there)');
const events = generateShopperSessions({
  seed: Number(values.seed),
  visitors: Number(values.visitors),
  days: Number(values.days),
  start: Date.parse(values.start!),
});
const written = await writeNdjson(values.out, events);
console.log(`${written} events from ${values.visitors} visitors over ${values.days} days written to ${values.out}`);
