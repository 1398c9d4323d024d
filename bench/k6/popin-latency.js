// Pop-in latency: time from sending the triggering event (a visitor's 3rd view of one product,
// which fires the demo scenario "product-viewed-3-times") to receiving the pop-in on the same
// socket. Each probe is a fresh visitor, so cooldowns and caps never hold a pop-in back.
//
//   TARGET=http://staging:8080 PROBE_RATE=20 DURATION=1m k6 run bench/k6/popin-latency.js
//
// PROBE_RATE   probes started per second (default 10)
// BG_RATE      background ingest sessions per second on other sockets (default 0), each of
//              BG_FRAMES frames (default 10) of BG_EVENTS events (default 1), paced BG_THINK_MS (default 100)
// DURATION     default 30s
// ECHO=1       the target is the bare uWS echo (bench/ceiling): the echo of the 3rd frame stands in
//              for the pop-in, giving the transport's own round trip at the same rate
// P99_MS       threshold on the pop-in p99 (default 1000)
//
// k6 has no sub-millisecond clock in scripts, but every message event carries a high-resolution
// timestamp. The 3rd view is sent from inside the handler of the 2nd view's reply, so its send
// time is that reply's timestamp: the latency then includes k6's own event-loop delay, the
// same way for the engine and for the echo.
import { WebSocket } from 'k6/websockets';
import { setTimeout, clearTimeout } from 'k6/timers';
import { Counter, Rate, Trend } from 'k6/metrics';
import { Shopper } from './lib/shopper.js';
import { shopperSession, replyKind } from './lib/session.js';
import { numberEnv, stringEnv, freshVisitor, socketUrl } from './lib/target.js';

const popinLatency = new Trend('popin_latency_ms', true);
const popinMissed = new Rate('popin_missed');
const probes = new Counter('probes');
const probeFailures = new Counter('probe_failures');

const ECHO = stringEnv('ECHO', '0') === '1';
const PROBE_RATE = numberEnv('PROBE_RATE', 10);
const BG_RATE = numberEnv('BG_RATE', 0);
const DURATION = stringEnv('DURATION', '30s');
// Background sessions only have to be there: they count outcomes instead of sampling each frame,
// so k6's own cost does not swamp the probes' latencies.
const BG = { frames: numberEnv('BG_FRAMES', 10), eventsPerFrame: numberEnv('BG_EVENTS', 1), thinkMs: numberEnv('BG_THINK_MS', 100), sampleFrames: false };

const scenarios = {
  probes: {
    executor: 'constant-arrival-rate',
    exec: 'probe',
    rate: PROBE_RATE,
    timeUnit: '1s',
    duration: DURATION,
    preAllocatedVUs: Math.max(5, PROBE_RATE),
    maxVUs: Math.max(50, PROBE_RATE * 10),
    gracefulStop: '5s',
  },
};
if (BG_RATE > 0) {
  scenarios.background = {
    executor: 'constant-arrival-rate',
    exec: 'background',
    rate: BG_RATE,
    timeUnit: '1s',
    duration: DURATION,
    preAllocatedVUs: Math.max(10, Math.ceil(BG_RATE * (BG.frames * BG.thinkMs / 1000 + 0.5))),
    maxVUs: numberEnv('MAX_VUS', 3000),
    gracefulStop: '5s',
  };
}

export const options = {
  scenarios,
  thresholds: {
    popin_missed: ['rate<0.01'],
    popin_latency_ms: [`p(99)<${numberEnv('P99_MS', 1000)}`],
  },
};

export function probe() {
  const visitor = freshVisitor('probe', __VU, __ITER);
  const shopper = new Shopper(visitor);
  const product = `sku-${1 + (__ITER % 50)}`;
  const ws = new WebSocket(socketUrl(visitor));
  let replies = 0;
  let triggerSentAt = 0;
  let done = false;
  probes.add(1);

  const finish = (latency, reason) => {
    if (done) return;
    done = true;
    clearTimeout(guard);
    if (latency === undefined) {
      popinMissed.add(true);
      probeFailures.add(1, { reason });
    } else {
      popinMissed.add(false);
      popinLatency.add(latency);
    }
    ws.close();
  };
  const guard = setTimeout(() => finish(undefined, replies < 3 ? `timeout after ${replies} replies` : 'timeout, no pop-in'), numberEnv('PROBE_TIMEOUT_MS', 10000));

  ws.onopen = () => ws.send(shopper.productView(product));
  ws.onmessage = (message) => {
    const kind = replyKind(message.data);
    if (kind === 'pop') {
      if (!ECHO && triggerSentAt > 0) finish(message.timestamp - triggerSentAt);
      return;
    }
    if (kind === 'err') return finish(undefined, message.data.slice(0, 60));
    replies++;
    if (replies === 1) {
      ws.send(shopper.productView(product));
    } else if (replies === 2) {
      triggerSentAt = message.timestamp;
      ws.send(shopper.productView(product));
    } else if (replies === 3 && ECHO) {
      finish(message.timestamp - triggerSentAt);
    }
  };
  ws.onerror = (error) => finish(undefined, `socket error: ${error.error}`);
}

export function background() {
  shopperSession(freshVisitor('bg', __VU, __ITER), BG);
}
