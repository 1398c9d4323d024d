import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { RecordedEvent } from './recorded-event.js';

/** Writes events one JSON object per line, with the stream's backpressure respected. */
export async function writeNdjson(path: string, events: Iterable<RecordedEvent>): Promise<number> {
  const out = createWriteStream(path);
  let written = 0;
  for (const event of events) {
    if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
    written++;
  }
  out.end();
  await once(out, 'finish');
  return written;
}
