import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SocketClient, event } from '../support/socket-client.js';
import { startTestEngine } from '../support/test-engine.js';

const VISITORS = 8;
const FRAMES_PER_VISITOR = 30;
const EVENTS_PER_FRAME = 4;

/**
 * A small warehouse buffer makes the pipeline wait for chdb's inserts before it acks (the sink's
 * backpressure), so a stream of frames is still in flight when the engine is told to stop.
 * Without the journal: a frame's ack waits for its turn's append, during which chdb stores the
 * rows, so the buffer is below its mark again by the time the frame looks and nothing is held.
 */
const SLOW_ACKS = { warehouse: { batchSize: 5, maxBufferedRows: 5, flushInterval: 50, journal: false } };

describe('stopping an engine while frames are in flight', () => {
  test('every frame it took is acked before its socket closes, so a restart on the same dataDir stores nothing twice', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tripwire-test-'));
    const first = await startTestEngine('embedded', undefined, { ...SLOW_ACKS, dataDir });
    const visitors = Array.from({ length: VISITORS }, (_, v) => `visitor-stop-${v}`);
    const frames = visitors.map((_, v) =>
      Array.from({ length: FRAMES_PER_VISITOR }, (_, f) => Array.from({ length: EVENTS_PER_FRAME }, (_, n) => `v${v}-f${f}-n${n}`)),
    );
    const clients = await Promise.all(visitors.map((visitor) => SocketClient.open(first.url, 'demo', visitor)));
    clients.forEach((client, v) => {
      for (const ids of frames[v]!) client.send(JSON.stringify({ b: ids.map((id) => event(id, 'page')) }));
    });
    await clients[0]!.acked(frames[0]![0]!, 10_000);
    const ackedBeforeStop = countAcked(clients, frames);

    await first.stop();
    const codes = await Promise.all(clients.map((client) => client.closed));
    expect(codes.every((code) => code === 1001)).toBe(true);
    // The stop had frames in flight, and their acks reached the clients before the close.
    expect(countAcked(clients, frames)).toBeGreaterThan(ackedBeforeStop);

    // As the tracker does: whatever was not acked is resent to the next engine.
    const second = await startTestEngine('embedded', undefined, { ...SLOW_ACKS, dataDir });
    try {
      const resending = await Promise.all(visitors.map((visitor) => SocketClient.open(second.url, 'demo', visitor)));
      await Promise.all(
        resending.map(async (client, v) => {
          const unacked = frames[v]!.filter((ids) => !ids.every((id) => clients[v]!.isAcked(id)));
          for (const ids of unacked) client.send(JSON.stringify({ b: ids.map((id) => event(id, 'page')) }));
          await client.acked(unacked.flat(), 15_000);
          client.close();
        }),
      );
      await second.sink.flush();
      const [stored] = await second.warehouse.query<{ rows: number; distinct: number }>(
        "SELECT count() AS rows, uniqExact(visitor_id, event_id) AS distinct FROM {events} WHERE visitor_id LIKE 'visitor-stop-%'",
      );
      const sent = VISITORS * FRAMES_PER_VISITOR * EVENTS_PER_FRAME;
      expect(stored).toEqual({ rows: sent, distinct: sent });
    } finally {
      await second.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  test('while it drains, a new frame is answered TW_SHUTTING_DOWN and a new connection is refused', async () => {
    const engine = await startTestEngine('embedded', undefined, SLOW_ACKS);
    const busy = await SocketClient.open(engine.url, 'demo', 'visitor-drain-busy');
    const late = await SocketClient.open(engine.url, 'demo', 'visitor-drain-late');
    const held = Array.from({ length: FRAMES_PER_VISITOR }, (_, f) => Array.from({ length: EVENTS_PER_FRAME }, (_, n) => `busy-f${f}-n${n}`));
    for (const ids of held) busy.send(JSON.stringify({ b: ids.map((id) => event(id, 'page')) }));
    await busy.acked(held[0]!, 10_000);

    const stopped = engine.close();
    late.send(JSON.stringify({ b: [event('late-1', 'page')] }));
    const refusal = await late.next((message) => message.k === 'err');
    expect(refusal.c).toBe('TW_SHUTTING_DOWN');
    expect(late.isAcked('late-1')).toBe(false);
    await expect(SocketClient.open(engine.url, 'demo', 'visitor-drain-new')).rejects.toThrow();

    await stopped;
    await busy.acked(held.flat());
    expect(await busy.closed).toBe(1001);
  }, 60_000);
});

function countAcked(clients: readonly SocketClient[], frames: readonly string[][][]): number {
  return clients.reduce((sum, client, v) => sum + frames[v]!.flat().filter((id) => client.isAcked(id)).length, 0);
}
