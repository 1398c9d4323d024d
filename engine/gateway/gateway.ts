import uWS, { type HttpRequest, type HttpResponse, type TemplatedApp, type WebSocket, type us_listen_socket } from 'uWebSockets.js';
import type { Clock, TrackedEvent, VisitorRef } from '../events/index.js';
import type { ErrorCode } from '../errors.js';
import type { EngineMetrics, Logger } from '../observability/index.js';
import type { Frame, FrameReply } from '../pipeline/index.js';
import { PATHS, VISITOR_ID_PATTERN, type BeaconAnswer, type ErrorMessage } from '../protocol/index.js';
import { decodeFrame, type DecodeLimits, type EventProblem } from './decode-frame.js';
import { AckBatcher } from './ack-batcher.js';
import { ResponseWriter } from './http-response.js';
import { listenRefusal } from './listen-refusal.js';
import { verifyIdentify } from './identity-verification.js';
import { sendCorked, type SocketData, type SocketRegistry } from './socket-registry.js';
import type { StaticAsset } from './static-assets.js';

export interface GatewayLimits extends DecodeLimits {
  maxFrameBytes: number;
  maxInFlightPerSocket: number;
  maxBackpressureBytes: number;
  idleTimeoutSeconds: number;
}

export interface PageRequest {
  method: string;
  path: string;
  query: string;
  body?: string;
  headers: Record<string, string>;
}

export interface PageResponse {
  status: number;
  contentType: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
}

/** Serves pages under a path prefix: the demo shop, the dashboard, the unsubscribe page. */
export interface PageSource {
  readonly prefix: string;
  /** Largest POST body read for this source; gateway.maxFrameBytes when unset (a feed needs more). */
  readonly maxBodyBytes?: number;
  handle(request: PageRequest): Promise<PageResponse | undefined>;
}

export interface GatewayDeps {
  host: string;
  port: number;
  limits: GatewayLimits;
  /** Site key → secret used to verify identify HMACs. */
  sites: ReadonlyMap<string, { secret: string }>;
  submit: (frame: Frame) => void;
  registry: SocketRegistry;
  assets: ReadonlyMap<string, StaticAsset>;
  pages: readonly PageSource[];
  /** Where GET / redirects, if anywhere. */
  home: string | undefined;
  health: () => Promise<{ ok: boolean; [key: string]: unknown }>;
  metrics: EngineMetrics;
  logger: Logger;
  clock: Clock;
}

/** uWS closes a connection whose frame exceeds this multiple of maxFrameBytes; below it, oversized frames get an error frame. */
const HARD_FRAME_FACTOR = 4;
/**
 * The reasons uWS gives when it closes a connection itself, before the gateway sees the frame:
 * code 1006, as for a dropped connection, so only the reason tells them apart. Labels of
 * tripwire_sockets_closed_on_frame_total.
 */
const UWS_CLOSE_REASONS: Record<string, string> = {
  'Received invalid UTF-8': 'invalid_utf8',
  'Received too big message': 'too_large',
};
/**
 * uWS binds with SO_REUSEPORT unless told otherwise: a second engine on a busy port would then
 * start and the kernel would split connections between the two. The native module takes the
 * option as listen(host, port, options, cb), an overload its typings lack.
 */
const LISTEN_EXCLUSIVE_PORT = (uWS as unknown as { LIBUS_LISTEN_EXCLUSIVE_PORT: number }).LIBUS_LISTEN_EXCLUSIVE_PORT;
type ListenExclusive = (host: string, port: number, options: number, callback: (socket: us_listen_socket | false) => void) => TemplatedApp;

const CORS = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'POST, OPTIONS', 'Access-Control-Allow-Headers': 'Content-Type' };

/**
 * The engine's only network surface: the tracker's WebSocket, the beacon endpoint, the tracker
 * script, pages, health and metrics. It decodes and bounds what clients send, then hands frames
 * to the pipeline; it knows nothing of scenarios or stores.
 */
export class Gateway {
  private readonly app: TemplatedApp;
  private listenSocket: us_listen_socket | undefined;
  private readonly acks: AckBatcher;
  /** Set by stopAccepting(): new connections and frames are refused while those in flight finish. */
  private draining = false;

  constructor(private readonly deps: GatewayDeps) {
    this.acks = new AckBatcher(() => deps.metrics.socketMessagesDropped.inc({ kind: 'ack' }));
    this.app = uWS.App();
    this.routeSocket();
    this.routeHttp();
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const listen = this.app.listen.bind(this.app) as unknown as ListenExclusive;
      listen(this.deps.host, this.deps.port, LISTEN_EXCLUSIVE_PORT, (socket) => {
        if (socket === false) {
          listenRefusal(this.deps.host, this.deps.port).then(reject, reject);
          return;
        }
        this.listenSocket = socket;
        resolve(uWS.us_socket_local_port(socket));
      });
    });
  }

  /**
   * The first step of a graceful stop: no new connection, and every new frame (socket or beacon)
   * is answered TW_SHUTTING_DOWN, so the client resends it to the next engine. Open connections
   * stay open: the acks of the frames in flight still have to reach them.
   */
  stopAccepting(): void {
    this.draining = true;
    if (this.listenSocket !== undefined) uWS.us_listen_socket_close(this.listenSocket);
    this.listenSocket = undefined;
  }

  /**
   * Closes the open connections (code 1001), after writing the acks still waiting for their
   * flush: an event stored but not acked would be resent to the next engine and, on a store
   * whose seen ids do not outlive the process, stored twice.
   */
  close(): void {
    this.stopAccepting();
    this.acks.flush();
    this.deps.registry.closeAll();
  }

  private routeSocket(): void {
    const { limits, registry, metrics } = this.deps;
    this.app.ws<SocketData>(PATHS.socket, {
      compression: uWS.DISABLED,
      maxPayloadLength: limits.maxFrameBytes * HARD_FRAME_FACTOR,
      maxBackpressure: limits.maxBackpressureBytes,
      idleTimeout: limits.idleTimeoutSeconds,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => {
        const visitor = this.draining ? shuttingDown() : this.visitorFrom(req.getQuery('s') ?? '', req.getQuery('v') ?? '');
        if ('code' in visitor) {
          metrics.eventsRejected.inc({ code: visitor.code });
          res.writeStatus(visitor.code === 'TW_SHUTTING_DOWN' ? '503 Service Unavailable' : '400 Bad Request').writeHeader('Content-Type', 'application/json').end(JSON.stringify(errorMessage(visitor.code, visitor.message)));
          return;
        }
        const data: SocketData = { visitor, inFlight: 0, closed: false };
        res.upgrade(data, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
      },
      open: (ws) => {
        registry.add(ws);
        metrics.openSockets.inc();
      },
      message: (ws, message) => this.onSocketMessage(ws, message),
      close: (ws, _code, message) => {
        const reason = UWS_CLOSE_REASONS[Buffer.from(message).toString()];
        if (reason !== undefined) metrics.socketsClosedOnFrame.inc({ reason });
        ws.getUserData().closed = true;
        registry.remove(ws);
        metrics.openSockets.dec();
      },
    });
  }

  private onSocketMessage(ws: WebSocket<SocketData>, message: ArrayBuffer): void {
    const arrivedAt = performance.now();
    const data = ws.getUserData();
    const { limits, metrics } = this.deps;
    if (message.byteLength > limits.maxFrameBytes) {
      this.sendTo(ws, [problem('TW_FRAME_TOO_LARGE', `the frame has ${message.byteLength} bytes; at most ${limits.maxFrameBytes}`)]);
      return;
    }
    // The ArrayBuffer is only valid during this call: decode it now.
    const text = Buffer.from(message).toString('utf8');
    const receivedAt = this.deps.clock.now();
    const decoded = decodeFrame(text, data.visitor, receivedAt, limits);
    if (!decoded.ok) {
      this.sendTo(ws, [decoded.problem]);
      return;
    }
    this.observeClockOffset(decoded.clockOffset);
    if (decoded.problems.length > 0) this.sendTo(ws, decoded.problems);
    const events = decoded.events;
    if (events.length === 0) return;
    if (this.draining) {
      metrics.eventsRejected.inc({ code: 'TW_SHUTTING_DOWN' }, events.length);
      this.sendErrors(ws, [errorMessage('TW_SHUTTING_DOWN', SHUTTING_DOWN_MESSAGE)]);
      return;
    }
    if (data.inFlight + events.length > limits.maxInFlightPerSocket) {
      metrics.eventsRejected.inc({ code: 'TW_BACKPRESSURE' }, events.length);
      this.sendTo(ws, [problem('TW_BACKPRESSURE', `${data.inFlight} events of this connection are still in flight; resend after an ack`)]);
      return;
    }
    data.inFlight += events.length;
    this.submit(data.visitor, events, receivedAt, arrivedAt, {
      ack: (ids) => {
        data.inFlight -= events.length;
        this.acks.ack(ws, data, ids);
      },
      fail: (code, message) => {
        data.inFlight -= events.length;
        if (!data.closed) this.sendErrors(ws, [errorMessage(code, message)]);
      },
    });
  }

  private submit(visitor: VisitorRef, events: TrackedEvent[], receivedAt: number, arrivedAt: number, reply: FrameReply): void {
    const secret = this.deps.sites.get(visitor.site)!.secret;
    for (const event of events) verifyIdentify(event, secret);
    this.deps.submit({ visitor, events, receivedAt, arrivedAt, reply } satisfies Frame);
  }

  private observeClockOffset(offset: number | undefined): void {
    if (offset !== undefined) this.deps.metrics.clockOffsetSeconds.observe(Math.abs(offset) / 1000);
  }

  private sendTo(ws: WebSocket<SocketData>, problems: readonly EventProblem[]): void {
    for (const p of problems) this.deps.metrics.eventsRejected.inc({ code: p.code });
    this.sendErrors(ws, problems.map((p) => errorMessage(p.code, p.message, p.eventId)));
  }

  private sendErrors(ws: WebSocket<SocketData>, messages: readonly ErrorMessage[]): void {
    const refused = sendCorked(ws, messages.map((message) => JSON.stringify(message)));
    if (refused > 0) this.deps.metrics.socketMessagesDropped.inc({ kind: 'error' }, refused);
  }

  private visitorFrom(site: unknown, visitor: unknown): VisitorRef | EventProblem {
    if (typeof site !== 'string' || !this.deps.sites.has(site)) {
      return problem('TW_UNKNOWN_SITE', `unknown site key "${String(site).slice(0, 40)}"`);
    }
    if (typeof visitor !== 'string' || !VISITOR_ID_PATTERN.test(visitor)) {
      return problem('TW_BAD_VISITOR', 'the visitor id must be 1-64 characters of A-Z a-z 0-9 _ -');
    }
    return { site, visitor };
  }

  private routeHttp(): void {
    this.app.options(PATHS.beacon, (res) => new ResponseWriter(res).write(204, 'text/plain', '', CORS));
    this.app.post(PATHS.beacon, (res) => void this.onBeacon(res));
    this.app.get(PATHS.health, (res) => void this.onHealth(res));
    this.app.get('/metrics', (res) => void this.onMetrics(res));
    this.app.any('/*', (res, req) => void this.onPage(res, req));
  }

  /** The HTTP fallback: a frame in a POST body, answered with the ack (or the errors). */
  private async onBeacon(res: HttpResponse): Promise<void> {
    const writer = new ResponseWriter(res);
    const body = await this.readBody(writer, this.deps.limits.maxFrameBytes);
    if (body === undefined) return;
    const arrivedAt = performance.now();
    const receivedAt = this.deps.clock.now();
    const decoded = decodeFrame(body.toString('utf8'), undefined, receivedAt, this.deps.limits);
    if (!decoded.ok) {
      this.deps.metrics.eventsRejected.inc({ code: decoded.problem.code });
      writer.json(400, errorMessage(decoded.problem.code, decoded.problem.message), CORS);
      return;
    }
    this.observeClockOffset(decoded.clockOffset);
    const visitor = this.visitorFrom(decoded.site, decoded.visitor);
    if ('code' in visitor) {
      this.deps.metrics.eventsRejected.inc({ code: visitor.code });
      writer.json(400, errorMessage(visitor.code, visitor.message), CORS);
      return;
    }
    const errors = decoded.problems.map((p) => errorMessage(p.code, p.message, p.eventId));
    for (const p of decoded.problems) this.deps.metrics.eventsRejected.inc({ code: p.code });
    if (decoded.events.length === 0) {
      writer.json(errors.length === 0 ? 200 : 400, { k: 'ack', i: [], err: errors }, CORS);
      return;
    }
    if (this.draining) {
      this.deps.metrics.eventsRejected.inc({ code: 'TW_SHUTTING_DOWN' }, decoded.events.length);
      writer.json(503, errorMessage('TW_SHUTTING_DOWN', SHUTTING_DOWN_MESSAGE), CORS);
      return;
    }
    const events = decoded.events.map((event) => ({ ...event, site: visitor.site, visitor: visitor.visitor }));
    this.submit(visitor, events, receivedAt, arrivedAt, {
      ack: (ids) => writer.json(200, { k: 'ack', i: [...ids], err: errors } satisfies BeaconAnswer, CORS),
      fail: (code, message) => writer.json(503, errorMessage(code, message), CORS),
    });
  }

  private async readBody(writer: ResponseWriter, limit: number): Promise<Buffer | undefined> {
    const reading = this.deps.metrics.bodiesReading;
    reading.inc();
    try {
      return await writer.readBody(limit);
    } finally {
      reading.dec();
    }
  }

  private async onHealth(res: HttpResponse): Promise<void> {
    const writer = new ResponseWriter(res);
    const health = await this.deps.health();
    writer.json(health.ok ? 200 : 503, { ...health, sockets: this.deps.registry.size });
  }

  private async onMetrics(res: HttpResponse): Promise<void> {
    const writer = new ResponseWriter(res);
    const registry = this.deps.metrics.registry;
    writer.write(200, registry.contentType, await registry.metrics());
  }

  private async onPage(res: HttpResponse, req: HttpRequest): Promise<void> {
    const writer = new ResponseWriter(res);
    const method = req.getMethod().toUpperCase();
    const path = req.getUrl();
    const query = req.getQuery() ?? '';
    const headers: Record<string, string> = {};
    req.forEach((name, value) => {
      headers[name] = value;
    });
    const asset = method === 'GET' ? this.deps.assets.get(path) : undefined;
    if (asset !== undefined) {
      writer.write(200, asset.contentType, asset.body, { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' });
      return;
    }
    if (method === 'GET' && path === '/' && this.deps.home !== undefined) {
      writer.write(302, 'text/plain', '', { Location: this.deps.home });
      return;
    }
    const source = this.deps.pages.find((page) => path === page.prefix || path.startsWith(`${page.prefix}/`));
    if (source === undefined) {
      writer.json(404, errorMessage('TW_NOT_FOUND', `nothing at ${path}`));
      return;
    }
    const body = method === 'POST' ? await this.readBody(writer, source.maxBodyBytes ?? this.deps.limits.maxFrameBytes) : undefined;
    if (method === 'POST' && body === undefined) return;
    try {
      const page = await source.handle({ method, path, query, headers, body: body?.toString('utf8') });
      if (page === undefined) writer.json(404, errorMessage('TW_NOT_FOUND', `nothing at ${path}`));
      else writer.write(page.status, page.contentType, page.body, page.headers);
    } catch (error) {
      this.deps.logger.error({ err: error, path }, 'page failed');
      writer.json(500, errorMessage('TW_INTERNAL', 'the page failed; see the engine log'));
    }
  }
}

const SHUTTING_DOWN_MESSAGE = 'the engine is shutting down; resend the frame to the engine you reconnect to';

function shuttingDown(): EventProblem {
  return problem('TW_SHUTTING_DOWN', SHUTTING_DOWN_MESSAGE);
}

function problem(code: ErrorCode, message: string, eventId?: string): EventProblem {
  return { code, message, eventId };
}

function errorMessage(code: string, message: string, eventId?: string): ErrorMessage {
  const error: ErrorMessage = { k: 'err', c: code, m: message };
  if (eventId !== undefined) error.i = eventId;
  return error;
}
