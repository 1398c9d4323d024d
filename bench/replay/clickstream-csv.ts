import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { TripwireError } from '../../engine/errors.js';
import type { RecordedEvent } from '../generator/index.js';

/**
 * Reads the common public clickstream layout `timestamp,visitorid,event,itemid,transactionid`
 * (the RetailRocket e-commerce data set, for one), so such a file replays unchanged:
 *   view → product, addtocart → cart_add, transaction → purchase.
 * Columns are found by the header's names when there is one. Timestamps are epoch ms, or epoch
 * seconds when below 10^11. Rows come back in time order, each visitor's split into sessions by
 * 30 minutes of inactivity, as the tracker does.
 */
export interface ClickstreamOptions {
  site?: string;
  /** Named in error messages. */
  source?: string;
}

const COLUMNS = ['timestamp', 'visitorid', 'event', 'itemid', 'transactionid'] as const;
type Column = (typeof COLUMNS)[number];
const SESSION_GAP_MS = 30 * 60_000;
const EVENT_TYPES = { view: 'product', addtocart: 'cart_add', transaction: 'purchase' } as const;

export async function readClickstreamCsv(path: string, options: ClickstreamOptions = {}): Promise<RecordedEvent[]> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  return clickstreamEvents(lines, { source: path, ...options });
}

export async function clickstreamEvents(lines: AsyncIterable<string> | Iterable<string>, options: ClickstreamOptions = {}): Promise<RecordedEvent[]> {
  const source = options.source ?? 'clickstream';
  let columns: Record<Column, number> = { timestamp: 0, visitorid: 1, event: 2, itemid: 3, transactionid: 4 };
  const events: RecordedEvent[] = [];
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const cells = line.split(',').map((cell) => cell.trim());
    if (lineNumber === 1 && cells.includes('visitorid')) {
      columns = headerColumns(cells, source);
      continue;
    }
    events.push(rowEvent(cells, columns, lineNumber, source, options.site ?? 'demo'));
  }
  events.sort((a, b) => a.ts - b.ts);
  assignSessions(events);
  return events;
}

function headerColumns(cells: string[], source: string): Record<Column, number> {
  const found = {} as Record<Column, number>;
  for (const column of COLUMNS) {
    const index = cells.indexOf(column);
    if (index < 0) throw new TripwireError('TW_REPLAY_INPUT', `${source}:1: the header has no "${column}" column (expected ${COLUMNS.join(',')})`);
    found[column] = index;
  }
  return found;
}

function rowEvent(cells: string[], columns: Record<Column, number>, line: number, source: string, site: string): RecordedEvent {
  const fail = (what: string): never => {
    throw new TripwireError('TW_REPLAY_INPUT', `${source}:${line}: ${what}`);
  };
  const rawTime = Number(cells[columns.timestamp]);
  if (!Number.isFinite(rawTime) || rawTime <= 0) fail(`"${cells[columns.timestamp] ?? ''}" is not an epoch timestamp`);
  const visitor = (cells[columns.visitorid] ?? '').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
  if (visitor === '') fail('the visitorid is empty');
  const name = cells[columns.event] ?? '';
  if (!(name in EVENT_TYPES)) fail(`unknown event "${name}" (expected view, addtocart or transaction)`);
  const item = cells[columns.itemid] ?? '';
  if (item === '') fail('the itemid is empty');
  const type = EVENT_TYPES[name as keyof typeof EVENT_TYPES];
  const transaction = cells[columns.transactionid] ?? '';
  const props =
    type === 'purchase'
      ? { order: transaction === '' ? `line-${line}` : transaction, items: [{ id: item, qty: 1 }] }
      : type === 'cart_add'
        ? { id: item, qty: 1 }
        : { id: item };
  return { v: `cs${visitor}`, s: site, i: `l${line}`, t: type, ts: rawTime < 1e11 ? rawTime * 1000 : rawTime, p: props };
}

function assignSessions(events: RecordedEvent[]): void {
  const last = new Map<string, { at: number; session: string }>();
  for (const event of events) {
    const previous = last.get(event.v);
    const session = previous !== undefined && event.ts - previous.at < SESSION_GAP_MS ? previous.session : `${event.v}-${event.ts.toString(36)}`;
    event.ss = session.slice(0, 64);
    last.set(event.v, { at: event.ts, session });
  }
}
