/**
 * V8 heap per active visitor on the in-process store, and where it goes:
 *   npx tsx bench/visitor-heap.ts [--scenarios DIR] [--visitors N] [--rows K] [--idle] [--pauses]
 * Starts an engine on the in-process store with the scenarios (default: the whole built-in pack)
 * and a discarding warehouse, seeds 2k warm-up visitors, takes a heap snapshot, seeds N more
 * (6-event sessions, as bench/redis-memory.ts does for Redis), snapshots again and prints the
 * growth per visitor: in total and by V8 node type:name (self sizes). It is the twin of
 * bench/redis-memory.ts: what survives young-generation GCs is what scavenges cost. With --idle
 * every visitor is frozen (as the sweep freezes idle ones) before each snapshot, so the figures are
 * those of a store of idle visitors. Either way it also prints the bytes outside the V8 heap per
 * visitor (ArrayBuffers: frozen visitors). With --pauses it takes no snapshot (a heap snapshot
 * leaves V8 tracking object ids, which slows every later GC) and times forced full GCs before and
 * after seeding instead: the pause every pop-in waits behind when V8 marks the whole heap.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../engine/config/index.js';
import { startEngine } from '../engine/config/compose.js';
import { MemoryWindowStore } from '../engine/state/index.js';
import { DiscardWarehouse, seedVisitors } from './target/index.js';

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: 'engine/scenarios/pack' },
    visitors: { type: 'string', default: '20000' },
    rows: { type: 'string', default: '16' },
    idle: { type: 'boolean', default: false },
    pauses: { type: 'boolean', default: false },
  },
});
const visitors = Number(values.visitors);
if (!Number.isInteger(visitors) || visitors <= 0) throw new Error(`--visitors must be a positive integer, not ${values.visitors}`);
const WARM_UP_VISITORS = 2000;

/** Node types whose name is their content (a string's text, a number's value): summed as one row. */
const UNNAMED_TYPES = new Set(['string', 'concatenated string', 'sliced string', 'number', 'bigint', 'symbol', 'regexp', 'code']);

interface Tally {
  bytes: number;
  count: number;
}

/**
 * Sums self sizes by node type and name while the snapshot streams in: a snapshot of 20k visitors
 * is too big to hold as one string. Only the header, the nodes and the strings are kept.
 */
class SnapshotTally {
  private phase: 'header' | 'nodes' | 'edges' | 'strings' = 'header';
  private text = '';
  private fieldCount = 0;
  private fields = { type: 0, name: 0, size: 0 };
  private types: string[] = [];
  private node: number[] = [];
  private number = 0;
  private digits = false;
  /** (type, name index or -1) → tally; names resolve once the strings arrive, at the end. */
  private readonly byKey = new Map<number, Tally>();

  write(chunk: string): void {
    if (this.phase === 'header') {
      this.text += chunk;
      const at = this.text.indexOf('"nodes":[');
      if (at < 0) return;
      const meta = JSON.parse(`${this.text.slice(0, at).replace(/,\s*$/, '')}}`).snapshot.meta;
      const fields: string[] = meta.node_fields;
      this.fieldCount = fields.length;
      this.fields = { type: fields.indexOf('type'), name: fields.indexOf('name'), size: fields.indexOf('self_size') };
      this.types = meta.node_types[0];
      const rest = this.text.slice(at + '"nodes":['.length);
      this.text = '';
      this.phase = 'nodes';
      this.write(rest);
    } else if (this.phase === 'nodes') {
      this.readNodes(chunk);
    } else if (this.phase === 'edges') {
      // Edges are skipped; the tail of the last chunk is kept so a marker split over two is found.
      this.text = this.text.slice(-16) + chunk;
      const at = this.text.indexOf('"strings":[');
      if (at < 0) return;
      this.text = this.text.slice(at + '"strings":'.length);
      this.phase = 'strings';
    } else {
      this.text += chunk;
    }
  }

  /** Self size by `type:name`. */
  finish(): Map<string, Tally> {
    const strings: string[] = JSON.parse(this.text.replace(/\}\s*$/, ''));
    const rows = new Map<string, Tally>();
    for (const [key, tally] of this.byKey) {
      const type = this.types[Math.floor(key / 2 ** 32)]!;
      const name = key % 2 ** 32 === 2 ** 32 - 1 ? '' : strings[key % 2 ** 32]!.slice(0, 40);
      const row = rows.get(`${type}:${name}`) ?? { bytes: 0, count: 0 };
      row.bytes += tally.bytes;
      row.count += tally.count;
      rows.set(`${type}:${name}`, row);
    }
    return rows;
  }

  private readNodes(chunk: string): void {
    for (let i = 0; i < chunk.length; i++) {
      const code = chunk.charCodeAt(i);
      if (code >= 48 && code <= 57) {
        this.number = this.number * 10 + (code - 48);
        this.digits = true;
        continue;
      }
      if (this.digits) this.field(this.number);
      this.number = 0;
      this.digits = false;
      if (code === 93 /* ] */) {
        this.phase = 'edges';
        this.write(chunk.slice(i + 1));
        return;
      }
    }
  }

  private field(value: number): void {
    this.node.push(value);
    if (this.node.length < this.fieldCount) return;
    const type = this.node[this.fields.type]!;
    const name = UNNAMED_TYPES.has(this.types[type]!) ? 2 ** 32 - 1 : this.node[this.fields.name]!;
    const key = type * 2 ** 32 + name;
    const tally = this.byKey.get(key) ?? { bytes: 0, count: 0 };
    tally.bytes += this.node[this.fields.size]!;
    tally.count++;
    this.byKey.set(key, tally);
    this.node.length = 0;
  }
}

/** The median of three forced full GCs, ms: each marks and compacts the whole heap. */
async function fullGcMs(session: Session): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await session.post('HeapProfiler.collectGarbage');
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[1]!;
}

/** Forced full GCs before and after seeding, with the heap and the bytes outside it per visitor. */
async function reportPauses(session: Session, warmFailed: number): Promise<void> {
  const gcBefore = await fullGcMs(session);
  const before = process.memoryUsage();
  const failed = warmFailed + (await seedVisitors(engine, visitors, 'heap'));
  if (failed > 0) throw new Error(`${failed} seeded frames failed`);
  freezeIfIdle();
  const gcAfter = await fullGcMs(session);
  const after = process.memoryUsage();
  const store = engine.store instanceof MemoryWindowStore ? engine.store : undefined;
  console.log(`${visitors} visitors seeded after ${WARM_UP_VISITORS} warm-up; ${store?.frozenVisitorCount ?? 0} of ${store?.visitorCount ?? 0} frozen`);
  console.log(`V8 heap used per visitor: ${((after.heapUsed - before.heapUsed) / visitors).toFixed(0)} B; outside the heap (ArrayBuffers): ${((after.arrayBuffers - before.arrayBuffers) / visitors).toFixed(0)} B`);
  console.log(`forced full GC (median of 3): ${gcBefore.toFixed(1)} ms before seeding, ${gcAfter.toFixed(1)} ms after`);
  if (store !== undefined && values.idle) {
    // Each snapshot thaws its visitor; freezing them all again times the freeze.
    const thawStart = performance.now();
    for (let v = 0; v < visitors; v++) await store.snapshot({ site: engine.config.sites[0]!.key, visitor: `heap-${v}` });
    const thawUs = ((performance.now() - thawStart) * 1000) / visitors;
    const freezeStart = performance.now();
    const frozen = store.freezeAll();
    const freezeUs = ((performance.now() - freezeStart) * 1000) / frozen;
    console.log(`thaw (with a snapshot's read): ${thawUs.toFixed(2)} µs per visitor; freeze: ${freezeUs.toFixed(2)} µs per visitor (${frozen} frozen)`);
  }
}

/** Freezes every visitor of an in-process store (--idle); a no-op otherwise. */
function freezeIfIdle(): void {
  if (values.idle && engine.store instanceof MemoryWindowStore) engine.store.freezeAll();
}

async function heapBySelfSize(session: Session): Promise<Map<string, Tally>> {
  await session.post('HeapProfiler.collectGarbage');
  const tally = new SnapshotTally();
  const onChunk = (message: { params: { chunk: string } }) => tally.write(message.params.chunk);
  session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  session.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  return tally.finish();
}

const dataDir = await mkdtemp(join(tmpdir(), 'tw-visitor-heap-'));
const engine = await startEngine(
  parseConfig({ server: { host: '127.0.0.1', port: 0 }, dataDir, log: { level: 'warn' }, scenarios: { dir: values.scenarios } }),
  { warehouse: new DiscardWarehouse() },
);
const session = new Session();
session.connect();
try {
  await session.post('HeapProfiler.enable');
  const warmFailed = await seedVisitors(engine, WARM_UP_VISITORS, 'warm');
  freezeIfIdle();
  if (values.pauses) {
    await reportPauses(session, warmFailed);
    process.exit(0);
  }
  const before = await heapBySelfSize(session);
  const externalBefore = process.memoryUsage().arrayBuffers;
  const failed = warmFailed + (await seedVisitors(engine, visitors, 'heap'));
  if (failed > 0) throw new Error(`${failed} seeded frames failed`);
  freezeIfIdle();
  const after = await heapBySelfSize(session);
  const externalAfter = process.memoryUsage().arrayBuffers;

  const rows = [...new Set([...before.keys(), ...after.keys()])].map((key) => ({
    key,
    bytes: (after.get(key)?.bytes ?? 0) - (before.get(key)?.bytes ?? 0),
    count: (after.get(key)?.count ?? 0) - (before.get(key)?.count ?? 0),
  }));
  const total = rows.reduce((sum, row) => sum + row.bytes, 0);
  const held = engine.store instanceof MemoryWindowStore ? `, ${engine.store.visitorCount} visitors in the store, ${engine.store.frozenVisitorCount} of them frozen` : '';
  console.log(`scenarios ${values.scenarios}; ${visitors} visitors seeded after ${WARM_UP_VISITORS} warm-up${held}`);
  console.log(`heap growth per visitor: ${(total / visitors).toFixed(0)} B (self sizes, snapshot diff)`);
  console.log(`outside the heap per visitor (ArrayBuffers): ${((externalAfter - externalBefore) / visitors).toFixed(0)} B`);
  console.log('\n  bytes  objects  type:name');
  for (const row of rows.sort((a, b) => b.bytes - a.bytes).slice(0, Number(values.rows))) {
    console.log(`  ${(row.bytes / visitors).toFixed(0).padStart(5)} B  ${(row.count / visitors).toFixed(2).padStart(6)}  ${row.key}`);
  }
} finally {
  session.disconnect();
  await engine.stop();
  await rm(dataDir, { recursive: true, force: true });
}
