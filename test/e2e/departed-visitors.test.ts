import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MemoryWindowStore } from '../../engine/state/index.js';
import { SocketClient, event } from '../support/socket-client.js';
import { eventually, startTestEngine, type TestEngine } from '../support/test-engine.js';

/**
 * The in-process store moves a visitor out of the V8 heap 10 s after its last tab closed
 * (engine/state/memory/visitor-sweep.ts): the gateway's sockets tell it, on the real clock.
 */
describe('a visitor whose last tab closed, on the in-process store', () => {
  let engine: TestEngine;
  let store: MemoryWindowStore;

  beforeAll(async () => {
    engine = await startTestEngine('embedded', undefined);
    if (!(engine.store instanceof MemoryWindowStore)) throw new Error('the embedded engine runs the in-process store');
    store = engine.store;
  });

  afterAll(async () => {
    await engine?.close();
  });

  test('is frozen once idle for 10 s, while a visitor with a tab open stays live', async () => {
    const leaving = await SocketClient.open(engine.url, 'demo', 'visitor-departing');
    const staying = await SocketClient.open(engine.url, 'demo', 'visitor-staying');
    leaving.send(JSON.stringify({ b: [event('departing-1', 'page')] }));
    staying.send(JSON.stringify({ b: [event('staying-1', 'page')] }));
    await Promise.all([leaving.acked(['departing-1']), staying.acked(['staying-1'])]);
    leaving.close();
    const closedAt = Date.now();
    // The store looks at departures when it applies a frame: the staying tab keeps sending.
    let seq = 2;
    await eventually(
      async () => {
        const id = `staying-${seq++}`;
        staying.send(JSON.stringify({ b: [event(id, 'page')] }));
        await staying.acked([id]);
        return store.frozenVisitorCount > 0 ? true : undefined;
      },
      20_000,
      'the departed visitor frozen',
    );
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(10_000);
    expect(store.frozenVisitorCount).toBe(1);
    staying.close();
  }, 30_000);
});
