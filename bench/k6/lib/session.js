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
export const ackTime = new Trend('ack_ms', true);

/**
 * The id of the first event a reply answers: an ack lists the ids, an echo is the frame itself.
 * Acks may come out of order (the engine processes a socket's frames concurrently), so replies
 * are matched to frames by id, not by position.
 */
export function firstEventId(data) {
  const marker = data.startsWith('{"k":"ack"') ? '"i":["' : '"i":"';
  const start = data.indexOf(marker);
  if (start < 0) return undefined;
  const from = start + marker.length;
  return data.slice(from, data.indexOf('"', from));
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
 */
export function shopperSession(visitor, { frames, eventsPerFrame, thinkMs = 0, window = 1, blast = false, timeoutMs = 30000 }) {
  const shopper = new Shopper(visitor);
  const ws = new WebSocket(socketUrl(visitor));
  const sentAt = new Map();
  let sent = 0;
  let settled = 0;
  let closed = false;
  let pacer;

  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(guard);
    if (pacer !== undefined) clearTimeout(pacer);
    ws.close();
  };
  const guard = setTimeout(() => {
    for (let i = settled; i < sent; i++) frameErrors.add(true);
    close();
  }, timeoutMs);

  const send = () => {
    if (closed || sent >= frames) return;
    if (!blast) sentAt.set(shopper.nextId(), Date.now());
    ws.send(shopper.frame(eventsPerFrame));
    sent++;
    eventsSent.add(eventsPerFrame);
  };
  const paced = () => {
    send();
    if (sent < frames) pacer = setTimeout(paced, thinkMs);
  };

  ws.onopen = () => {
    if (blast) {
      while (sent < frames) send();
      close();
    } else if (thinkMs > 0) {
      paced();
    } else {
      while (sent < Math.min(window, frames)) send();
    }
  };
  ws.onmessage = (message) => {
    const kind = replyKind(message.data);
    if (kind === 'pop') {
      popinsReceived.add(1);
      return;
    }
    settled++;
    if (kind === 'err') {
      frameErrors.add(true);
    } else {
      frameErrors.add(false);
      eventsAcked.add(eventsPerFrame);
      const id = firstEventId(message.data);
      const at = sentAt.get(id);
      if (at !== undefined) {
        sentAt.delete(id);
        ackTime.add(Math.max(0, message.timestamp - at));
      }
    }
    if (settled >= frames) close();
    else if (thinkMs <= 0) send();
  };
  ws.onerror = () => {
    for (let i = settled; i < Math.max(sent, 1); i++) frameErrors.add(true);
    settled = sent;
    close();
  };
}
