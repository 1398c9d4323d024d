// Soak: a steady ingest rate for a long time, with the engine's memory sampled from /metrics
// (tripwire_process_*resident_memory_bytes and the V8 heap), so growth shows as a trend.
//
//   TARGET=http://staging:8080 RATE=100 DURATION=30m k6 run bench/k6/soak.js
//
// RATE, FRAMES, EVENTS, THINK_MS as in ingest.js; DURATION default 2m
// SAMPLE_EVERY  seconds between memory samples (default 5)
// MAX_RSS_MB    threshold on the largest resident memory sample (default 2048)
import http from 'k6/http';
import { Gauge, Trend } from 'k6/metrics';
import { numberEnv, stringEnv, freshVisitor, TARGET } from './lib/target.js';
import { shopperSession } from './lib/session.js';

const rssBytes = new Gauge('engine_rss_bytes');
const heapBytes = new Gauge('engine_heap_used_bytes');
const rssTrend = new Trend('engine_rss_mb');

const RATE = numberEnv('RATE', 50);
const FRAMES = numberEnv('FRAMES', 10);
const EVENTS = numberEnv('EVENTS', 1);
const THINK_MS = numberEnv('THINK_MS', 200);
const DURATION = stringEnv('DURATION', '2m');
const SAMPLE_EVERY = numberEnv('SAMPLE_EVERY', 5);

export const options = {
  scenarios: {
    shoppers: {
      executor: 'constant-arrival-rate',
      exec: 'shoppers',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.max(10, Math.ceil(RATE * (FRAMES * THINK_MS / 1000 + 1))),
      maxVUs: numberEnv('MAX_VUS', 3000),
      gracefulStop: '10s',
    },
    memory: {
      executor: 'constant-arrival-rate',
      exec: 'memory',
      rate: 1,
      timeUnit: `${SAMPLE_EVERY}s`,
      duration: DURATION,
      preAllocatedVUs: 1,
      maxVUs: 2,
    },
  },
  thresholds: {
    frame_errors: [`rate<${numberEnv('ERROR_RATE', 0.01)}`],
    engine_rss_bytes: [`value<${numberEnv('MAX_RSS_MB', 2048) * 1024 * 1024}`],
  },
};

export function shoppers() {
  shopperSession(freshVisitor('soak', __VU, __ITER), { frames: FRAMES, eventsPerFrame: EVENTS, thinkMs: THINK_MS });
}

/** Reads one sample from the Prometheus text; prom-client's default metrics carry the tripwire_ prefix. */
export function metricValue(text, pattern) {
  const match = text.match(pattern);
  return match === null ? undefined : Number(match[1]);
}

export function memory() {
  const response = http.get(`${TARGET}/metrics`, { tags: { name: 'metrics' } });
  if (response.status !== 200) return;
  const rss = metricValue(response.body, /^tripwire_process_resident_memory_bytes (\S+)$/m);
  const heap = metricValue(response.body, /^tripwire_nodejs_heap_size_used_bytes (\S+)$/m);
  if (rss !== undefined) {
    rssBytes.add(rss);
    rssTrend.add(rss / 1024 / 1024);
  }
  if (heap !== undefined) heapBytes.add(heap);
}
