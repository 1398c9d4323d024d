import { parseConfig, type ConfigInput } from '../../engine/config/index.js';
import { startEngine } from '../../engine/config/compose.js';
import { ManualClock, type VisitorRef } from '../../engine/events/index.js';
import { decodeFrame, type DecodeLimits } from '../../engine/gateway/index.js';
import type { Logger } from '../../engine/observability/index.js';
import type { WarehouseBackend } from '../../engine/warehouse/index.js';
import type { RecordedEvent } from '../generator/index.js';

export interface ReplayOptions {
  /** The engine's config; the replay adds nothing but what it needs (the socket is unused). */
  config: ConfigInput;
  /** Frames in flight across visitors; each visitor's own frames stay in order. Default 512. */
  concurrency?: number;
  warehouse?: WarehouseBackend;
  logger?: Logger;
}

export interface ReplayReport {
  events: number;
  accepted: number;
  /** Refused by the gateway's decoder, or failed in the pipeline. */
  refused: number;
  seconds: number;
  eventsPerSecond: number;
  /** Recorded time the stream covers. */
  span: { from: number; to: number };
  /** Per scenario and outcome: "fired", or "suppressed (reason)". */
  triggers: Array<{ scenario: string; status: string; count: number }>;
}

/**
 * Streams recorded events through a whole engine as fast as it takes them. Each event becomes a
 * one-event frame that goes the way a socket frame goes from the gateway on: the gateway's own
 * decoder, then the pipeline, store, scenarios, channels and warehouse. Only the socket and the
 * per-connection in-flight cap are left out, so millions of visitors need no millions of sockets.
 *
 * Time is the recording's: the engine runs on a clock that follows the events, so 30-minute
 * windows and 1-hour absences behave as they did when the stream was recorded. Identify events
 * count as verified: the replay stands in for the site's backend, which signs them.
 */
export async function replayEvents(events: readonly RecordedEvent[], options: ReplayOptions): Promise<ReplayReport> {
  const config = parseConfig({ ...options.config, server: { host: '127.0.0.1', port: 0 } });
  const clock = new ManualClock(events[0]?.ts ?? Date.now());
  const engine = await startEngine(config, { clock, logger: options.logger, warehouse: options.warehouse });
  const limits: DecodeLimits = { maxEventsPerFrame: 1, maxClockSkew: config.gateway.maxClockSkew, maxEventAge: config.store.dedupeHorizon };
  const site = config.sites[0]!.key;
  const concurrency = options.concurrency ?? 512;
  let accepted = 0;
  let refused = 0;

  const submit = (event: RecordedEvent, visitor: VisitorRef): Promise<void> => {
    const { v: _visitor, s: _site, ...wire } = event;
    const receivedAt = clock.now();
    const decoded = decodeFrame(JSON.stringify({ b: [wire] }), visitor, receivedAt, limits);
    if (!decoded.ok || decoded.events.length === 0) {
      refused++;
      return Promise.resolve();
    }
    for (const tracked of decoded.events) if (tracked.type === 'identify') tracked.props = { ...tracked.props, verified: true };
    return new Promise((resolve) => {
      engine.pipeline.submit({
        visitor,
        events: decoded.events,
        receivedAt,
        reply: {
          ack: () => {
            accepted++;
            resolve();
          },
          fail: () => {
            refused++;
            resolve();
          },
        },
      });
    });
  };

  const tails = new Map<string, Promise<void>>();
  let inFlight = 0;
  let freed: (() => void) | undefined;
  const started = performance.now();
  try {
    for (const event of events) {
      if (event.ts > clock.now()) clock.set(event.ts);
      while (inFlight >= concurrency) await new Promise<void>((resolve) => (freed = resolve));
      const visitor = { site: event.s ?? site, visitor: event.v };
      const key = `${visitor.site}\u0000${visitor.visitor}`;
      inFlight++;
      const tail: Promise<void> = (tails.get(key) ?? Promise.resolve())
        .then(() => submit(event, visitor))
        .finally(() => {
          inFlight--;
          freed?.();
          freed = undefined;
          if (tails.get(key) === tail) tails.delete(key);
        });
      tails.set(key, tail);
    }
    await Promise.all(tails.values());
    const seconds = (performance.now() - started) / 1000;
    // Absences still open at the end of the recording fire as they would have.
    clock.advance(config.store.dedupeHorizon);
    await engine.pipeline.fireDueTimers();
    const triggers = (await engine.metrics.triggers.get()).values.map((sample) => ({
      scenario: String(sample.labels.scenario),
      status: sample.labels.reason ? `${String(sample.labels.status)} (${String(sample.labels.reason)})` : String(sample.labels.status),
      count: sample.value,
    }));
    return {
      events: events.length,
      accepted,
      refused,
      seconds,
      eventsPerSecond: events.length / seconds,
      span: { from: events[0]?.ts ?? 0, to: events.at(-1)?.ts ?? 0 },
      triggers,
    };
  } finally {
    await engine.stop();
  }
}
