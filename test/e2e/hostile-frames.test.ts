import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';

/**
 * Frames uWS refuses before the gateway sees them: it closes the connection itself, with 1006 and
 * no error frame (README, "Operating it"); the gateway counts the close by reason, and the engine
 * keeps serving.
 */
describe('hostile frames at the gateway', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine('embedded', undefined);
  });

  afterAll(async () => {
    await engine?.close();
  });

  async function connect(visitor: string): Promise<{ socket: WebSocket; received: Array<Record<string, unknown>>; closed: Promise<number> }> {
    const socket = new WebSocket(`${engine.url.replace(/^http/, 'ws')}/live?s=${engine.config.sites[0]!.key}&v=${visitor}`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const received: Array<Record<string, unknown>> = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    return { socket, received, closed };
  }

  async function closesCounted(reason: string): Promise<number> {
    const text = await (await fetch(`${engine.url}/metrics`)).text();
    const found = new RegExp(`tripwire_sockets_closed_on_frame_total\\{reason="${reason}"\\} (\\d+)`).exec(text);
    return found ? Number(found[1]) : 0;
  }

  test.each([
    ['not valid UTF-8', 'invalid_utf8', () => Buffer.concat([Buffer.from('{"b":[{"i":"e-utf8","t":"search","ts":1,"p":{"q":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}]}')])],
    ['over 4 x maxFrameBytes', 'too_large', () => Buffer.from(`{"b":[{"i":"e-big","t":"search","ts":1,"p":{"q":"${'x'.repeat(4 * engine.config.gateway.maxFrameBytes)}"}}]}`)],
  ])('a text frame %s closes the connection with 1006 and no error frame, counted as %s; the engine keeps serving', async (_, reason, frame) => {
    const before = await closesCounted(reason);
    const { socket, received, closed } = await connect(`visitor-${reason}`);
    socket.send(frame(), { binary: false });
    expect(await closed).toBe(1006);
    expect(received).toEqual([]);
    expect((await closesCounted(reason)) - before).toBe(1);

    const next = await connect(`visitor-${reason}-next`);
    next.socket.send(JSON.stringify({ b: [{ i: 'e-after', t: 'search', ts: Date.now(), p: { q: 'boots' } }] }));
    const deadline = Date.now() + 5000;
    while (!next.received.some((message) => message.k === 'ack') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(next.received).toContainEqual({ k: 'ack', i: ['e-after'] });
    next.socket.close();
  });
});
