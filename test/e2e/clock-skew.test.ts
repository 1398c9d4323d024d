import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SocketClient } from '../support/socket-client.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';

const HOUR = 3_600_000;
/** Room for the frame's trip and the engine's turn: the offset measured includes them. */
const LATENCY = 2_000;

interface StoredTime {
  event_id: string;
  time_ms: string | number;
  received_at_ms: string | number;
}

/**
 * A device whose clock is hours wrong: the frame says the device's time when it left (`st`), and
 * the engine stores each event at its age on that clock, counted back from the arrival.
 */
describe('events from a device whose clock is wrong, over a real socket and a real beacon', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine('embedded', undefined);
  });

  afterAll(async () => {
    await engine?.close();
  });

  /** Each stored event's age at arrival, in ms. */
  async function storedAges(): Promise<Record<string, number>> {
    await engine.sink.flush();
    const rows = await engine.warehouse.query<StoredTime>('SELECT event_id, time_ms, received_at_ms FROM {events}');
    return Object.fromEntries(rows.map((row) => [row.event_id, Number(row.received_at_ms) - Number(row.time_ms)]));
  }

  const wire = (id: string, deviceNow: number, age: number) => ({ i: id, t: 'page', ts: deviceNow - age, u: 'https://shop.example/p', p: {} });

  test('a socket frame from a clock 3 hours behind is stored at the event\'s age, not 3 hours old', async () => {
    const client = await SocketClient.open(engine.url, 'demo', 'visitor-clock-behind');
    const deviceNow = Date.now() - 3 * HOUR;
    client.send(JSON.stringify({ b: [wire('behind-10s', deviceNow, 10_000)], st: deviceNow }));
    await client.acked(['behind-10s']);
    client.close();

    const age = (await storedAges())['behind-10s']!;
    expect(age).toBeGreaterThanOrEqual(10_000);
    expect(age).toBeLessThan(10_000 + LATENCY);
  });

  test('a beacon from a clock 2 hours ahead is stored at the event\'s age, not at its arrival', async () => {
    const deviceNow = Date.now() + 2 * HOUR;
    const body = JSON.stringify({ s: 'demo', v: 'visitor-clock-ahead', b: [wire('ahead-20s', deviceNow, 20_000)], st: deviceNow });
    const response = await fetch(`${engine.url}/e`, { method: 'POST', body });
    expect(await response.json()).toMatchObject({ k: 'ack', i: ['ahead-20s'] });

    const age = (await storedAges())['ahead-20s']!;
    expect(age).toBeGreaterThanOrEqual(20_000);
    expect(age).toBeLessThan(20_000 + LATENCY);
  });

  test('an event queued offline for 5 hours on a clock an hour behind keeps its 5 hours', async () => {
    const client = await SocketClient.open(engine.url, 'demo', 'visitor-clock-offline');
    const deviceNow = Date.now() - HOUR;
    client.send(JSON.stringify({ b: [wire('offline-5h', deviceNow, 5 * HOUR)], st: deviceNow }));
    await client.acked(['offline-5h']);
    client.close();

    const age = (await storedAges())['offline-5h']!;
    expect(age).toBeGreaterThanOrEqual(5 * HOUR);
    expect(age).toBeLessThan(5 * HOUR + LATENCY);
  });

  test('a frame without a sent time keeps the device\'s own timestamp, as from a server-side sender', async () => {
    const client = await SocketClient.open(engine.url, 'demo', 'visitor-clock-unsaid');
    client.send(JSON.stringify({ b: [wire('unsaid-1h', Date.now(), HOUR)] }));
    await client.acked(['unsaid-1h']);
    client.close();

    const age = (await storedAges())['unsaid-1h']!;
    expect(age).toBeGreaterThanOrEqual(HOUR);
    expect(age).toBeLessThan(HOUR + LATENCY);
  });

  test('the offsets the engine corrected are in the metrics, by size', async () => {
    const text = await (await fetch(`${engine.url}/metrics`)).text();
    expect(text).toMatch(/tripwire_client_clock_offset_seconds_count 3\n/);
    expect(text).toMatch(/tripwire_client_clock_offset_seconds_bucket\{le="60"\} 0\n/);
    expect(text).toMatch(/tripwire_client_clock_offset_seconds_bucket\{le="21600"\} 3\n/);
  });
});
