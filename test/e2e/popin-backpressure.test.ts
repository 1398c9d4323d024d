import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WIRE_LIMITS } from '../../engine/protocol/index.js';
import { SocketClient, event } from '../support/socket-client.js';
import { eventually, startTestEngine, type TestEngine } from '../support/test-engine.js';

/** A counter's value from the engine's /metrics text, 0 when absent. */
async function metric(engine: TestEngine, series: string): Promise<number> {
  const text = await (await fetch(`${engine.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/**
 * 1.5 × what the kernel may buffer for a connection that stopped reading: the sender's largest
 * send buffer and a receive buffer of 8 × its default (loopback here holds ~2.7 MB of 4.2 MB).
 */
async function kernelSocketBytes(): Promise<number> {
  const field = async (file: string, index: number) => Number((await readFile(`/proc/sys/net/ipv4/${file}`, 'utf8')).trim().split(/\s+/)[index]);
  try {
    return 1.5 * ((await field('tcp_wmem', 2)) + 8 * (await field('tcp_rmem', 1)));
  } catch {
    return 8 * 1024 * 1024;
  }
}

describe('a connection that stopped reading', () => {
  let engine: TestEngine;
  let frozen: SocketClient;

  /**
   * Acks of 100 event ids of the longest kind (~6.7 KB a frame), past what the kernel can hold
   * for the two ends of the connection, then past uWS's 16 KB.
   */
  beforeAll(async () => {
    engine = await startTestEngine('embedded', undefined, { gateway: { maxBackpressureBytes: 16 * 1024 } });
    frozen = await SocketClient.open(engine.url, 'demo', 'visitor-frozen-tab');
    frozen.stopReading();
    const pageFrames = Math.ceil((await kernelSocketBytes()) / 6_700);
    const id = (f: number, e: number) => `frozen-page-${f}-${e}-`.padEnd(WIRE_LIMITS.idMaxLength, 'x');
    for (let f = 0; f < pageFrames; f++) {
      frozen.send(JSON.stringify({ b: Array.from({ length: 100 }, (_, e) => event(id(f, e), 'page')) }));
      if (f % 4 === 3) {
        // Applied is not enough: a frame's events count against gateway.maxInFlightPerSocket (500)
        // until its ack, which waits for the journal append, and this client reads no ack to pace
        // itself by. The frame histogram is observed once a frame is acked (or failed).
        await eventually(
          async () => ((await metric(engine, 'tripwire_events_accepted_total{type="page"}')) >= (f + 1) * 100 && (await metric(engine, 'tripwire_frame_seconds_count')) >= f + 1 ? true : undefined),
          20_000,
          'the page views to be applied and acked',
        );
        expect(await metric(engine, 'tripwire_events_rejected_total{code="TW_BACKPRESSURE"}')).toBe(0);
      }
    }
    await eventually(async () => ((await metric(engine, 'tripwire_events_accepted_total{type="page"}')) === pageFrames * 100 ? true : undefined), 20_000, 'every page view to be applied');
  });

  afterAll(async () => {
    frozen?.close();
    await engine?.close();
  });

  test('has the acks it cannot take counted as dropped', async () => {
    expect(await metric(engine, 'tripwire_socket_messages_dropped_total{kind="ack"}')).toBeGreaterThan(0);
  });

  test('has an error frame it cannot take counted as dropped', async () => {
    frozen.send('{');
    await eventually(async () => ((await metric(engine, 'tripwire_socket_messages_dropped_total{kind="error"}')) === 1 ? true : undefined), 20_000, 'the error frame to be counted as dropped');
  });

  test('has a pop-in recorded as dropped, not sent, once it is past its backpressure limit', async () => {
    for (const id of ['frozen-view-1', 'frozen-view-2', 'frozen-view-3']) frozen.send(JSON.stringify({ b: [event(id, 'product', { id: 'sku-1', name: 'Mug', price: 12 })] }));
    await eventually(async () => ((await metric(engine, 'tripwire_deliveries_total{channel="popin",status="dropped"}')) === 1 ? true : undefined), 20_000, 'the pop-in to be recorded as dropped');
    expect(await metric(engine, 'tripwire_deliveries_total{channel="popin",status="sent"}')).toBe(0);
    expect(await metric(engine, 'tripwire_popin_seconds_count')).toBe(0);
  });
});
