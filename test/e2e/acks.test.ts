import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SocketClient, event } from '../support/socket-client.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';

describe('acks on the tracker socket', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine('embedded', undefined);
  });

  afterAll(async () => {
    await engine?.close();
  });

  test('frames sent back to back are each acked exactly once, several frames to an ack when they finish together', async () => {
    const client = await SocketClient.open(engine.url, 'demo', 'visitor-ack-burst');
    const frames = Array.from({ length: 40 }, (_, f) => [`burst-${f}-a`, `burst-${f}-b`]);
    for (const ids of frames) client.send(JSON.stringify({ b: ids.map((id) => event(id, 'page')) }));
    await client.acked(frames.flat(), 10_000);
    const acks = client.received.filter((message) => message.k === 'ack');
    const listed = acks.flatMap((ack) => ack.i as string[]);
    expect(listed.sort()).toEqual(frames.flat().sort());
    // A frame's events are never split across acks.
    for (const ack of acks) {
      const ids = new Set(ack.i as string[]);
      for (const frame of frames) expect(frame.filter((id) => ids.has(id)).length % frame.length).toBe(0);
    }
    client.close();
  });

  test('a socket closed while its acks wait for the flush does not disturb the other sockets', async () => {
    const leaving = await SocketClient.open(engine.url, 'demo', 'visitor-ack-leaving');
    const staying = await SocketClient.open(engine.url, 'demo', 'visitor-ack-staying');
    leaving.send(JSON.stringify({ b: [event('leaving-1', 'page')] }));
    leaving.close();
    staying.send(JSON.stringify({ b: [event('staying-1', 'page')] }));
    await staying.acked(['staying-1']);
    staying.close();
  });
});
