import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { TripwireError } from '../../engine/errors.js';
import type { RecordedEvent } from '../generator/index.js';

/** Reads a recorded stream (bench/generator's NDJSON: wire events plus "v"), in time order. */
export async function readNdjsonEvents(path: string): Promise<RecordedEvent[]> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  const events: RecordedEvent[] = [];
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch (error) {
      throw new TripwireError('TW_REPLAY_INPUT', `${path}:${line}: not JSON (${(error as Error).message})`, { cause: error });
    }
    if (!isRecordedEvent(event)) {
      throw new TripwireError('TW_REPLAY_INPUT', `${path}:${line}: an event needs "v" (visitor), "i" (id), "t" (type) and "ts" (epoch ms)`);
    }
    events.push(event);
  }
  return events.sort((a, b) => a.ts - b.ts);
}

function isRecordedEvent(value: unknown): value is RecordedEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Record<string, unknown>;
  return typeof event.v === 'string' && typeof event.i === 'string' && typeof event.t === 'string' && typeof event.ts === 'number';
}
