import { readFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import uWS from 'uWebSockets.js';
import type { HttpResponse, TemplatedApp, WebSocket, us_listen_socket } from 'uWebSockets.js';
import type { ErrorMessage, PopinMessage, WireEvent } from '../../engine/protocol/index.js';

/** How an event reached the harness: the WebSocket, a beacon, or the fetch fallback (both POST /e). */
export type Channel = 'socket' | 'beacon' | 'post';

export interface Delivery {
  via: Channel;
  /** Which frame (or POST) carried it: events of one frame share the number. */
  frame: number;
  /** The frame's `st` as it came: the page's clock when the frame left. */
  sentAt: unknown;
  site: string;
  visitor: string;
  event: WireEvent;
}

export interface HarnessOptions {
  /** Directory holding the built tw.js and its chunks (tw-ui.js, tw-modal.js, tw-form.js, tw-capture.js, tw-post.js). */
  trackerDir: string;
}

interface Connection {
  site: string;
  visitor: string;
}

interface Page {
  html: string;
  headers: Record<string, string>;
}

const JS = 'application/javascript; charset=utf-8';

/**
 * A stand-in engine for tracker tests: a real uWebSockets.js server speaking the wire protocol.
 * It serves tw.js, records every delivery, keeps the first copy of each event id (as the engine
 * dedupes), acks, rejects on demand, and pushes pop-ins. Test pages come from a second server, the
 * shop's, on http://localhost:<port>, while the engine is http://127.0.0.1:<port>: two origins, as
 * on a real site, and the shop stays up while the engine is stopped.
 */
export class TrackerHarness {
  /** Every event received, duplicates included, in arrival order. */
  readonly deliveries: Delivery[] = [];
  /** Each event id once, as first received: what the engine would keep. */
  readonly events: Delivery[] = [];
  /** false: frames are recorded but never acked. */
  acking = true;
  /** false: the WebSocket upgrade is refused (a proxy that blocks WebSockets). */
  socketsAllowed = true;
  /** A TW_* code to reject the event with, or undefined to accept it. */
  reject: (event: WireEvent) => string | undefined = () => undefined;
  /**
   * A TW_* code to fail whole socket frames with, as the engine's pipeline does when Redis is
   * unreachable (`{"k":"err","c":code,"m":...}` without `i`, and no ack); undefined: frames go through.
   */
  failFrames: string | undefined = undefined;
  /** Socket frames answered with failFrames' code. */
  failedFrames = 0;
  /** How many more socket frames failFrames fails; then frames go through again. */
  failFramesLeft = Infinity;
  /**
   * true: a failed frame's error waits for releaseFailures(),
   * as the engine's answer does while its store call times out; false: it goes at once.
   */
  holdFailures = false;
  private readonly heldFailures: Array<() => void> = [];

  private readonly app: TemplatedApp;
  /** The shop's own server: it stays up while the engine goes down. */
  private readonly site: TemplatedApp;
  private siteListener: us_listen_socket | null = null;
  private sitePort = 0;
  private enginePort = 0;
  private readonly sockets = new Set<WebSocket<Connection>>();
  private readonly pages = new Map<string, Page>();
  private readonly seen = new Set<string>();
  private listener: us_listen_socket | null = null;
  private frames = 0;
  /**
   * The engine's public port is a TCP relay to the uWS port. uWS cannot listen again on a port
   * whose connections it closed (TIME_WAIT, no SO_REUSEADDR), while Node's listener can: so
   * stop() and restart() take the relay down and up, and uWS stays listening behind it.
   */
  private readonly relay: Server;
  private readonly relayed = new Set<Socket>();
  private port = 0;

  private constructor(private readonly options: HarnessOptions) {
    this.relay = createServer((client) => {
      const upstream = connect(this.enginePort, '127.0.0.1');
      for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
        this.relayed.add(from);
        from.pipe(to);
        from.on('error', () => to.destroy());
        from.on('close', () => {
          this.relayed.delete(from);
          to.destroy();
        });
      }
    });
    this.app = uWS.App();
    this.app.ws<Connection>('/live', {
      idleTimeout: 0,
      upgrade: (res, req, context) => {
        if (!this.socketsAllowed) return void res.writeStatus('403 Forbidden').end();
        res.upgrade<Connection>(
          { site: req.getQuery('s') ?? '', visitor: req.getQuery('v') ?? '' },
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => void this.sockets.add(ws),
      close: (ws) => void this.sockets.delete(ws),
      message: (ws, data) => {
        const { site, visitor } = ws.getUserData();
        const batch = JSON.parse(Buffer.from(data).toString('utf8')) as { b: WireEvent[]; st?: unknown };
        if (this.failFrames !== undefined && this.failFramesLeft > 0) {
          this.failedFrames++;
          this.failFramesLeft--;
          const error = JSON.stringify({ k: 'err', c: this.failFrames, m: 'the engine could not process this frame; it will be resent' });
          if (this.holdFailures) this.heldFailures.push(() => ws.send(error));
          else ws.send(error);
          return;
        }
        for (const reply of this.receive('socket', site, visitor, batch.b, batch.st)) ws.send(JSON.stringify(reply));
      },
    });
    this.app.post('/e', (res: HttpResponse & { aborted?: boolean }, req) => {
      const via: Channel = req.getHeader('sec-fetch-mode') === 'no-cors' ? 'beacon' : 'post';
      readBody(res, (text) => {
        if (res.aborted) return;
        const batch = JSON.parse(text) as { s: string; v: string; b: WireEvent[]; st?: unknown };
        const replies = this.receive(via, batch.s, batch.v, batch.b, batch.st);
        const ack = replies.find((reply) => reply.k === 'ack') ?? { k: 'ack', i: [] };
        res.cork(() => {
          res.writeHeader('Access-Control-Allow-Origin', '*').writeHeader('Content-Type', 'application/json');
          res.end(JSON.stringify(ack));
        });
      });
    });
    this.app.get('/*', (res, req) => {
      const name = req.getUrl().slice(1);
      let aborted = false;
      res.onAborted(() => (aborted = true));
      const known = /^tw(-ui|-modal|-form|-capture|-post)?\.js$/.test(name);
      void (known ? readFile(join(this.options.trackerDir, name), 'utf8') : Promise.resolve(null)).then((script) => {
        if (aborted) return;
        res.cork(() => {
          if (script === null) res.writeStatus('404 Not Found').end('not found');
          else res.writeHeader('Content-Type', JS).end(script);
        });
      });
    });
    this.site = uWS.App().get('/*', (res, req) => {
      const page = this.pages.get(req.getUrl());
      if (!page) return void res.writeStatus('404 Not Found').end('not found');
      res.writeHeader('Content-Type', 'text/html; charset=utf-8');
      for (const [name, value] of Object.entries(page.headers)) res.writeHeader(name, value);
      res.end(page.html);
    });
  }

  static async start(options: HarnessOptions): Promise<TrackerHarness> {
    const harness = new TrackerHarness(options);
    harness.enginePort = await listenUws(harness.app, (listener) => (harness.listener = listener));
    await harness.listen(0);
    harness.sitePort = await listenUws(harness.site, (listener) => (harness.siteListener = listener));
    return harness;
  }

  /** Origin of the engine (tw.js, /live, /e). */
  get engineOrigin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Origin of the test pages: another origin than the engine's, as on a real site. */
  get siteOrigin(): string {
    return `http://localhost:${this.sitePort}`;
  }

  /** Serves `html` at `path` of the shop's origin; returns its URL. */
  servePage(path: string, html: string, headers: Record<string, string> = {}): string {
    this.pages.set(path, { html, headers });
    return this.siteOrigin + path;
  }

  /** Deduplicated events of one visitor, optionally of one type. */
  eventsOf(visitor: string, type?: string): WireEvent[] {
    return this.events.filter((d) => d.visitor === visitor && (!type || d.event.t === type)).map((d) => d.event);
  }

  isConnected(visitor: string): boolean {
    return [...this.sockets].some((ws) => ws.getUserData().visitor === visitor);
  }

  /** Sends the errors of the failed frames held back (holdFailures). */
  releaseFailures(): void {
    for (const send of this.heldFailures.splice(0)) send();
  }

  /** Pushes a pop-in down every socket of the visitor. */
  pushPopin(visitor: string, popin: Omit<PopinMessage, 'k'>): void {
    const frame = JSON.stringify({ k: 'pop', ...popin });
    for (const ws of this.sockets) if (ws.getUserData().visitor === visitor) ws.send(frame);
  }

  /** The engine goes down: its port refuses connections, and every open connection is cut. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.relay.close(() => resolve()));
    for (const socket of this.relayed) socket.destroy();
    await closed;
  }

  /** The engine comes back on the same port. */
  async restart(): Promise<void> {
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.stop();
    if (this.listener) uWS.us_listen_socket_close(this.listener);
    if (this.siteListener) uWS.us_listen_socket_close(this.siteListener);
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.relay.once('error', reject);
      this.relay.listen(port, '127.0.0.1', () => {
        this.relay.off('error', reject);
        const address = this.relay.address();
        this.port = typeof address === 'object' && address ? address.port : port;
        resolve();
      });
    });
  }

  private receive(via: Channel, site: string, visitor: string, batch: WireEvent[], sentAt: unknown): Array<{ k: 'ack'; i: string[] } | ErrorMessage> {
    const frame = ++this.frames;
    const accepted: string[] = [];
    const replies: Array<{ k: 'ack'; i: string[] } | ErrorMessage> = [];
    for (const event of batch) {
      const code = this.reject(event);
      if (code) {
        replies.push({ k: 'err', c: code, m: 'rejected by the test harness', i: event.i });
        continue;
      }
      const delivery = { via, frame, sentAt, site, visitor, event };
      this.deliveries.push(delivery);
      if (!this.seen.has(event.i)) {
        this.seen.add(event.i);
        this.events.push(delivery);
      }
      accepted.push(event.i);
    }
    if (this.acking) replies.unshift({ k: 'ack', i: accepted });
    return replies;
  }
}

function listenUws(app: TemplatedApp, keep?: (listener: us_listen_socket) => void): Promise<number> {
  return new Promise((resolve, reject) =>
    app.listen('127.0.0.1', 0, (listener) => {
      if (!listener) return reject(new Error('the tracker harness could not listen on a free port'));
      keep?.(listener);
      resolve(uWS.us_socket_local_port(listener));
    }),
  );
}

function readBody(res: HttpResponse & { aborted?: boolean }, done: (text: string) => void): void {
  const chunks: Buffer[] = [];
  res.onAborted(() => (res.aborted = true));
  res.onData((chunk, isLast) => {
    // uWS reuses the chunk's memory after the callback: copy it.
    chunks.push(Buffer.from(chunk.slice(0)));
    if (isLast) done(Buffer.concat(chunks).toString('utf8'));
  });
}

/** Polls `check` until it holds, failing with `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
