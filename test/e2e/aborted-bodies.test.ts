import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BEACON_PATH } from '../../engine/protocol/index.js';
import { eventually, startTestEngine, type TestEngine } from '../support/test-engine.js';

/**
 * A client that sends a POST's headers and half its body, then goes away (a closed tab, a
 * dropped mobile connection): the engine must end that read, not keep its chunks and a pending
 * promise for ever. Seen through tripwire_http_bodies_reading, which a read leaves only once it
 * has settled.
 */
describe('a POST aborted in the middle of its body', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine('embedded', undefined);
  });

  afterAll(async () => {
    await engine?.close();
  });

  const bodiesReading = async (): Promise<number> => (await engine.metrics.bodiesReading.get()).values[0]?.value ?? 0;

  test.each([
    { route: 'the beacon endpoint', path: BEACON_PATH },
    { route: 'a page route', path: '/api/queries/events' },
  ])('on $route ends the read, and the engine goes on answering', async ({ path }) => {
    const socket = await halfAPost(engine.port, path, 4000);
    await eventually(async () => ((await bodiesReading()) === 1 ? true : undefined), 5000, 'the engine to start reading the body');
    socket.destroy();
    await eventually(async () => ((await bodiesReading()) === 0 ? true : undefined), 5000, 'the aborted read to end');

    const answer = await fetch(`${engine.url}${BEACON_PATH}`, {
      method: 'POST',
      body: JSON.stringify({ s: 'demo', v: 'visitor-after-abort', b: [{ i: 'after-abort-1', t: 'page', ts: Date.now(), u: 'https://shop.example/p' }] }),
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ k: 'ack', i: ['after-abort-1'] });
    expect(await bodiesReading()).toBe(0);
  });
});

/** Sends a POST whose Content-Length announces `length` bytes, and only half of them. */
function halfAPost(port: number, path: string, length: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\n\r\n`);
      socket.write('x'.repeat(length / 2), () => resolve(socket));
    });
    socket.once('error', reject);
  });
}
