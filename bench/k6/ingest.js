// Ingest: many visitors, each streaming a realistic mix of page, product, category, search and
// cart events over its own socket. Open model: RATE new visitor sessions start every second.
//
//   TARGET=http://staging:8080 RATE=200 DURATION=2m k6 run bench/k6/ingest.js
//
// RATE        sessions started per second (default 50)
// DURATION    how long (default 30s)
// FRAMES      frames per session (default 10); EVENTS per frame (default 1)
// THINK_MS    time between a visitor's frames (default 200; 0 = send on each ack)
// MAX_VUS     VUs k6 may allocate (default 2000)
// ERROR_RATE  threshold on frames refused or unanswered (default 0.01)
import { numberEnv, stringEnv, freshVisitor } from './lib/target.js';
import { shopperSession } from './lib/session.js';

const RATE = numberEnv('RATE', 50);
const FRAMES = numberEnv('FRAMES', 10);
const EVENTS = numberEnv('EVENTS', 1);
const THINK_MS = numberEnv('THINK_MS', 200);

export const options = {
  scenarios: {
    shoppers: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: stringEnv('DURATION', '30s'),
      preAllocatedVUs: Math.min(numberEnv('MAX_VUS', 2000), Math.max(10, Math.ceil(RATE * (FRAMES * THINK_MS / 1000 + 1)))),
      maxVUs: numberEnv('MAX_VUS', 2000),
      gracefulStop: '10s',
    },
  },
  thresholds: {
    frame_errors: [`rate<${numberEnv('ERROR_RATE', 0.01)}`],
    events_acked: ['count>0'],
  },
};

export default function () {
  shopperSession(freshVisitor('ingest', __VU, __ITER), { frames: FRAMES, eventsPerFrame: EVENTS, thinkMs: THINK_MS });
}
