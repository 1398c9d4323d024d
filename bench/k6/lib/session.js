// One visitor's socket session, as k6 drives it: open /live, send frames, count the replies, close.
import { WebSocket } from 'k6/websockets';
import { setTimeout, clearTimeout } from 'k6/timers';
import { Counter, Rate, Trend } from 'k6/metrics';
import { Shopper } from './shopper.js';
import { socketUrl } from './target.js';

export const eventsSent = new Counter('events_sent');
export const eventsAcked = new Counter('events_acked');
export const popinsReceived = new Counter('popins_received');
export const frameErrors = new Rate('frame_errors');
/** Saturation sessions count instead of sampling each frame (see shopperSession). */
export const framesSettled = new Counter('frames_settled');
export const framesFailed = new Counter('frames_failed');
export const ackTime = new Trend('ack_ms', true);

/**
 * The event ids a reply answers: an ack lists them (the engine sends one ack for all the frames
 * of a socket that finished together), the bare echo is the frame itself (its first id stands
 * for the frame). Acks may come out of order, so replies are matched to frames by id.
 */
export function answeredIds(data) {
  if (!data.startsWith('{"k":"ack"')) {
    const start = data.indexOf('"i":"');
    if (start < 0) return [];
    return [data.slice(start + 5, data.indexOf('"', start + 5))];
  }
  const start = data.indexOf('"i":["');
  if (start < 0) return [];
  return data.slice(start + 6, data.indexOf('"]', start + 6)).split('","');
}

/** How many events a reply answers, without building the list (the saturation loop's hot path). */
export function answeredCount(data, eventsPerFrame) {
  if (!data.startsWith('{"k":"ack"')) return eventsPerFrame;
  const list = data.indexOf('"i":["');
  if (list < 0) return 0;
  let count = 1;
  for (let at = data.indexOf('","', list); at >= 0; at = data.indexOf('","', at + 3)) count++;
  return count;
}

/** The first bytes of a reply tell its kind; no JSON.parse on the load generator's hot path. */
export function replyKind(data) {
  if (data.startsWith('{"k":"pop"')) return 'pop';
  if (data.startsWith('{"k":"err"')) return 'err';
  // An ack, or the bare echo server sending the frame back.
  return 'reply';
}

/**
 * Streams `frames` frames of `eventsPerFrame` events for one visitor and closes once each frame
 * is settled (acked or refused) or `timeoutMs` passed. Three pacings:
 *   thinkMs > 0     one frame every thinkMs, like a person browsing (ingest, soak);
 *   window >= 1     at most `window` frames awaiting their reply (saturation);
 *   blast           every frame at once, no reply expected (the parse-and-drop ceiling).
 * With `sampleFrames` (paced sessions only, the default there) every frame's ack time and outcome
 * is a metric sample; otherwise outcomes are counted in the VU and added once per session
 * (frames_settled, frames_failed, events_acked), because a k6 metric sample costs the load
 * generator about as much CPU as the server spends on a frame. Background load that only has to
 * be there (the pop-in latency probe's) and saturation runs count.
 */
export function shopperSession(visitor, { frames, eventsPerFrame, thinkMs = 0, window = 1, blast = false, timeoutMs = 30000, sampleFrames = true }) {
  const shopper = new Shopper(visitor);
  const ws = new WebSocket(socketUrl(visitor));
  const paced = thinkMs > 0;
  const sampled = paced && sampleFrames;
  const sentAt = new Map();
  let sent = 0;
  let settled = 0;
  let failed = 0;
  let opened = false;
  let closed = false;
  let pacer;

  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(guard);
    if (pacer !== undefined) clearTimeout(pacer);
    if (!sampled && !blast) {
      // A session that never connected failed all its frames; one cut short, those it sent.
      const attempted = opened ? sent : frames;
      eventsSent.add(sent * eventsPerFrame);
      framesSettled.add(attempted);
      framesFailed.add(failed + (attempted - settled));
      eventsAcked.add((settled - failed) * eventsPerFrame);
    }
    ws.close();
  };
  const guard = setTimeout(() => {
    if (sampled) for (let i = settled; i < sent; i++) frameErrors.add(true);
    close();
  }, timeoutMs);

  const send = () => {
    if (closed || sent >= frames) return;
    if (sampled) sentAt.set(shopper.nextId(), Date.now());
    ws.send(shopper.frame(eventsPerFrame));
    sent++;
    if (sampled) eventsSent.add(eventsPerFrame);
  };
  const pace = () => {
    send();
    if (sent < frames) pacer = setTimeout(pace, thinkMs);
  };

  ws.onopen = () => {
    opened = true;
    if (blast) {
      while (sent < frames) send();
      eventsSent.add(sent * eventsPerFrame);
      close();
      return;
    }
    if (paced) pace();
    else while (sent < Math.min(window, frames)) send();
  };
  ws.onmessage = (message) => {
    if (closed) return;
    const kind = replyKind(message.data);
    if (kind === 'pop') {
      popinsReceived.add(1);
      return;
    }
    if (!sampled) {
      const answered = kind === 'err' ? 1 : Math.max(1, Math.round(answeredCount(message.data, eventsPerFrame) / eventsPerFrame));
      settled += answered;
      if (kind === 'err') failed++;
      if (settled >= frames) close();
      else if (!paced) for (let i = 0; i < answered; i++) send();
      return;
    }
    if (kind === 'err') {
      settled++;
      frameErrors.add(true);
    } else {
      for (const id of answeredIds(message.data)) {
        const at = sentAt.get(id);
        if (at === undefined) continue;
        sentAt.delete(id);
        settled++;
        frameErrors.add(false);
        eventsAcked.add(eventsPerFrame);
        ackTime.add(Math.max(0, message.timestamp - at));
      }
    }
    if (settled >= frames) close();
  };
  ws.onerror = () => {
    if (sampled) for (let i = settled; i < Math.max(sent, 1); i++) frameErrors.add(true);
    else failed += sent - settled;
    settled = sent;
    close();
  };
}
