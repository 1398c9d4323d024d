// Saturation: a closed loop that finds a server's maximum rate. VUS sockets at a time, each
// keeping WINDOW frames awaiting their reply (ack, or the bare echo), so the server sets the
// pace; the bench harness reads the rate the server actually processed from its own counters.
//
// VUS         concurrent sockets (default 50)
// DURATION    default 10s
// FRAMES      frames per session before the socket is closed and a new visitor connects (default 50)
// EVENTS      events per frame (default 1)
// WINDOW      frames in flight per socket (default 4)
// BLAST=1     send every frame at once and expect no reply (the bare parse-and-drop server)
// VISITORS    draw each session's visitor from a population of this size (default 0: always new)
// MAX_FAILED_FRAMES  threshold on frames refused or unanswered (default 0)
import { numberEnv, stringEnv, freshVisitor, RUN_ID } from './lib/target.js';
import { shopperSession } from './lib/session.js';

const VISITORS = numberEnv('VISITORS', 0);
const SESSION = {
  frames: numberEnv('FRAMES', 50),
  eventsPerFrame: numberEnv('EVENTS', 1),
  window: numberEnv('WINDOW', 4),
  blast: stringEnv('BLAST', '0') === '1',
};

export const options = {
  scenarios: {
    saturate: { executor: 'constant-vus', vus: numberEnv('VUS', 50), duration: stringEnv('DURATION', '10s'), gracefulStop: '5s' },
  },
  // Counted per session (see shopperSession): a failed frame here means the server refused or
  // dropped one, which a saturation run must not hide.
  thresholds: { frames_failed: [`count<=${numberEnv('MAX_FAILED_FRAMES', 0)}`] },
};

export default function () {
  const visitor = VISITORS > 0 ? `pop-${RUN_ID}-${Math.floor(Math.random() * VISITORS)}` : freshVisitor('sat', __VU, __ITER);
  shopperSession(visitor, SESSION);
}
