import { BEACON_PATH, FRAME_REFUSALS, SOCKET_PATH, VISITOR_COOKIE_PATH } from '../../engine/protocol/index.js';
import type { PopinMessage, ServerMessage, WireBatch, WireEvent } from '../../engine/protocol/index.js';
import type { LoadChunk } from './chunks.js';
import type { Outbox } from './outbox.js';
import { pageGlobals } from './page-tw.js';

/** Events sent within this interval share one frame. */
const BATCH_MS = 50;
/** Below the gateway's default maxEventsPerFrame. */
const FRAME_EVENTS = 20;
/**
 * UTF-8 bytes of a frame's events: with the envelope ({s, v, b}), under the gateway's default
 * maxFrameBytes (64 KiB) and the 64 KB a beacon or a keepalive fetch may carry.
 */
const FRAME_BYTES = 60000;
const RETRY_BASE_MS = 250;
const RETRY_CAP_MS = 30000;
/** Failed socket openings before events also go by POST /e (a proxy or firewall may block WebSockets). */
const FAILS_BEFORE_POST = 3;

export interface TransportOptions {
  /** The engine's URL, without a trailing slash: an origin, or an origin and a path prefix (same-origin proxy). */
  base: string;
  site: string;
  visitor: () => string;
  outbox: Outbox;
  onPop: (message: PopinMessage) => void;
  /** Fetches tw-post.js, the POST /e fallback, for pages whose sockets keep failing. */
  loadChunk: LoadChunk;
}

export interface Transport {
  /** Sends the outbox within BATCH_MS, by socket, or by POST when the socket keeps failing. */
  flush(): void;
  /** Page hidden or left: send what is unacknowledged by beacon and close the socket (back/forward cache). */
  leave(): void;
  /** Page shown again, or a new visitor: (re)open the socket. */
  resume(): void;
}

const backoff = (attempt: number): number => Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** attempt);

/** A failed cookie refresh changes nothing: the visitor keeps its id, and the next connection refreshes it. */
function keepCookie(): void {}

export function openTransport(options: TransportOptions): Transport {
  const { base, site, visitor, outbox } = options;
  let socket: WebSocket | null = null;
  let paused = false;
  let fails = 0;
  let batchTimer = 0;
  let retryTimer = 0;
  let posting = false;
  /** Frames the engine failed as a whole in a row: the pause before resending grows with them. */
  let failed = 0;
  /** Ids sent on the current connection and awaiting their ack; cleared on reconnect so they are resent. */
  let sent: Record<string, 1> = {};

  const unsent = (): WireEvent[] => outbox.events.filter((event) => !sent[event.i]);
  const mark = (batch: WireEvent[]): void => batch.forEach((event) => (sent[event.i] = 1));
  /** Batches of at most FRAME_EVENTS events and FRAME_BYTES bytes, in order. */
  const frames = (events: WireEvent[]): WireEvent[][] => {
    const out: WireEvent[][] = [];
    let batch: WireEvent[] = [];
    // Full at the start, so the first event opens the first batch.
    let bytes = FRAME_BYTES;
    for (const event of events) {
      const size = new Blob([JSON.stringify(event)]).size + 1;
      if (size > FRAME_BYTES) {
        // No frame can carry it and the engine could only refuse it: kept, it would be sent for ever.
        if (TW_DEV) console.warn('[tripwire] an event of ' + size + ' bytes is too large to send; dropped', event);
        outbox.drop([event.i]);
      } else {
        if (batch.length === FRAME_EVENTS || (bytes += size) > FRAME_BYTES) out.push((batch = [])), (bytes = size);
        batch.push(event);
      }
    }
    return out;
  };
  /**
   * A frame's text: a socket's, or with the visitor (and so the site) for POST /e and beacons. `st`
   * is the page's clock as the frame leaves, resend included, for the engine to cancel out a wrong
   * device clock (docs/tracker.md, "Sent time"). JSON leaves the undefined keys out.
   */
  const body = (batch: WireEvent[], v?: string): string => JSON.stringify({ s: v && site, v, b: batch, st: Date.now() } satisfies WireBatch);

  function receive(message: ServerMessage): void {
    if (message.k === 'ack') {
      // The engine answers again: what waits for the pause after a failed frame goes now.
      if (failed) clearTimeout(batchTimer), (batchTimer = 0);
      failed = 0;
      outbox.drop(message.i);
      if (unsent().length) flush();
    } else if (message.k === 'pop') options.onPop(message);
    else if (message.k === 'err') {
      if (TW_DEV) console.warn('[tripwire] ' + message.c + ': ' + message.m, message.i || '');
      // A rejected event is final; so is a frame refused for what it is (FRAME_REFUSALS).
      if (message.i) outbox.drop([message.i]);
      else if (!FRAME_REFUSALS.test(message.c)) {
        // Which frame failed is not said, so all that awaits an ack goes again (the engine drops
        // duplicates): after the next ack, and, when the engine failed the frame as a whole (its
        // store unreachable, shutting down), after a pause too, as the socket may stay open and quiet.
        // The pause takes the batch timer's place, so that a batch already pending, or one a new
        // event starts, cannot send them sooner; events recorded meanwhile wait with them.
        sent = {};
        if (message.c !== 'TW_BACKPRESSURE') clearTimeout(batchTimer), (batchTimer = setTimeout(send, backoff(++failed)) as unknown as number);
      }
    }
  }

  function connect(): void {
    retryTimer = 0;
    if (socket || paused) return;
    const opened = (socket = new WebSocket(base.replace(/^http/, 'ws') + SOCKET_PATH + '?s=' + encodeURIComponent(site) + '&v=' + visitor()));
    opened.onopen = () => {
      fails = 0;
      sent = {};
      send();
      // Served under the site's own origin, the engine can set the visitor id as a server cookie,
      // which outlives Safari's 7-day limit on script-written storage (docs/tracker.md). The
      // parentheses let the minifier join the two constants into one string.
      if (!(base + '/').indexOf(location.origin + '/')) fetch(base + (VISITOR_COOKIE_PATH + '?v=') + visitor()).catch(keepCookie);
    };
    opened.onmessage = (frame) => receive(JSON.parse(frame.data as string) as ServerMessage);
    opened.onclose = () => {
      if (socket !== opened) return;
      socket = null;
      sent = {};
      fails++;
      retryTimer = setTimeout(connect, backoff(fails) * (0.5 + Math.random() / 2)) as unknown as number;
      send();
    };
  }

  function post(batch: WireEvent[]): void {
    posting = true;
    mark(batch);
    // Few pages ever need POST /e, so its code is a chunk. One that cannot load leaves tw.post
    // unset: the engine is unreachable, and the events wait for the next try as below.
    options
      .loadChunk('tw-post.js')
      .then(() => pageGlobals.tw!.post!(base + BEACON_PATH, body(batch, visitor())))
      .then(
        (messages) => {
          posting = false;
          messages.forEach(receive);
        },
        () => {
          // The engine is unreachable too: keep the events, and send all that awaits an ack again
          // on the next try (the engine drops duplicates), as after a frame it failed.
          posting = false;
          sent = {};
        },
      );
  }

  function send(): void {
    // Called directly too (a socket opening, closing): a batch still pending would otherwise fire
    // later unseen, and a pause put in its place after a failed frame could not hold it back.
    clearTimeout(batchTimer);
    batchTimer = 0;
    const batches = frames(unsent());
    if (!batches.length) return;
    if (paused) return beacon(batches);
    if (socket && socket.readyState === 1) {
      for (const batch of batches) {
        mark(batch);
        socket.send(body(batch));
      }
    } else if (fails >= FAILS_BEFORE_POST) {
      if (!posting) post(batches[0]!);
    } else if (!socket && !retryTimer) connect();
  }

  function beacon(batches: WireEvent[][]): void {
    for (const batch of batches) {
      // A string body goes as text/plain: a "simple" request, so no CORS preflight on the way out.
      if (navigator.sendBeacon(base + BEACON_PATH, body(batch, visitor()))) mark(batch);
    }
  }

  function flush(): void {
    if (!batchTimer) batchTimer = setTimeout(send, BATCH_MS) as unknown as number;
  }

  return {
    flush,
    leave() {
      if (!paused) {
        paused = true;
        clearTimeout(retryTimer);
        // What the socket carried without an ack yet goes again by beacon: the engine drops duplicates.
        sent = {};
        const closing = socket;
        socket = null;
        if (closing) closing.close();
      }
      beacon(frames(unsent()));
    },
    resume() {
      paused = false;
      clearTimeout(retryTimer);
      connect();
    },
  };
}
