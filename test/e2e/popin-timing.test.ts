import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SocketClient, event } from '../support/socket-client.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';

describe('pop-in timing on the tracker socket', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine('embedded', undefined);
  });

  afterAll(async () => {
    await engine?.close();
  });

  test('a pop-in written to the socket is timed from its frame in tripwire_popin_seconds', async () => {
    const client = await SocketClient.open(engine.url, 'demo', 'visitor-popin-timed');
    for (const id of ['view-1', 'view-2', 'view-3']) client.send(JSON.stringify({ b: [event(id, 'product', { id: 'sku-1', name: 'Mug', price: 12 })] }));
    await client.next((message) => message.k === 'pop');
    client.close();
    const text = await (await fetch(`${engine.url}/metrics`)).text();
    expect(text).toMatch(/^tripwire_popin_seconds_count 1$/m);
  });
});
