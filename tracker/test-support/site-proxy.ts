import { Agent, createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

interface Page {
  html: string;
  headers: Record<string, string>;
}

export interface SiteProxyOptions {
  /** Path under which the engine is served, e.g. "/t": /t/tw.js → the engine's /tw.js. */
  prefix: string;
  /** The engine's port on 127.0.0.1. */
  enginePort: number;
}

/**
 * A shop's own web server: it serves the shop's pages and, under a path prefix, passes requests
 * and WebSockets through to the engine, as the nginx and Caddy setups of docs/tracker.md do. The
 * tracker then sees the engine on the page's own origin, and the engine's visitor cookie is first
 * party. It stays up while the engine behind it is stopped and started again.
 */
export class SiteProxy {
  private readonly pages = new Map<string, Page>();
  /** Connections to the engine, so that disconnectEngine() can close them from this side. */
  private readonly upstream = new Set<Socket>();
  private readonly agent = new Agent({ keepAlive: true });
  private port = 0;
  /** false between disconnectEngine() and reconnectEngine(): the engine is treated as down. */
  private reachable = true;

  private constructor(
    private readonly server: Server,
    private readonly options: SiteProxyOptions,
  ) {}

  static async start(options: SiteProxyOptions): Promise<SiteProxy> {
    const server = createServer();
    const proxy = new SiteProxy(server, { ...options });
    server.on('request', (req, res) => {
      if (proxy.isEngine(req)) return proxy.forward(req, res);
      const page = proxy.pages.get(req.url ?? '');
      if (!page) return void res.writeHead(404).end('not found');
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...page.headers }).end(page.html);
    });
    server.on('upgrade', (req, socket) => (proxy.isEngine(req) ? proxy.tunnel(req, socket) : socket.destroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    proxy.port = typeof address === 'object' && address ? address.port : 0;
    return proxy;
  }

  /** The shop's origin: pages, and the engine under the prefix. */
  get origin(): string {
    return `http://localhost:${this.port}`;
  }

  /** Serves `html` at `path`; returns its URL. */
  servePage(path: string, html: string, headers: Record<string, string> = {}): string {
    this.pages.set(path, { html, headers });
    return this.origin + path;
  }

  /**
   * Closes every connection to the engine from this side, with a reset, and opens no new one
   * until reconnectEngine(): the engine can then stop without closing connections itself. A
   * server that closes first leaves its port in TIME_WAIT, and uWS (no SO_REUSEADDR) could not
   * listen on it again for a minute.
   */
  disconnectEngine(): void {
    this.reachable = false;
    for (const socket of this.upstream) socket.resetAndDestroy();
    this.upstream.clear();
  }

  /** The engine is back (on the same port). */
  reconnectEngine(): void {
    this.reachable = true;
  }

  async close(): Promise<void> {
    this.disconnectEngine();
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private isEngine(req: IncomingMessage): boolean {
    return (req.url ?? '').startsWith(this.options.prefix + '/');
  }

  private enginePath(req: IncomingMessage): string {
    return (req.url ?? '/').slice(this.options.prefix.length);
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    if (!this.reachable) return void res.writeHead(502, { 'Content-Type': 'text/plain' }).end('bad gateway');
    const headers = { ...req.headers, 'x-forwarded-proto': 'http' };
    const upstream = request({ host: '127.0.0.1', port: this.options.enginePort, method: req.method, path: this.enginePath(req), headers, agent: this.agent });
    upstream.on('socket', (socket) => this.keep(socket));
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    // The engine is down: what nginx answers then.
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end('bad gateway');
    });
    req.pipe(upstream);
  }

  private tunnel(req: IncomingMessage, client: Duplex): void {
    if (!this.reachable) return void client.destroy();
    const upstream = this.keep(connect(this.options.enginePort, '127.0.0.1'));
    const head = [`${req.method} ${this.enginePath(req)} HTTP/1.1`];
    for (let k = 0; k < req.rawHeaders.length; k += 2) head.push(`${req.rawHeaders[k]}: ${req.rawHeaders[k + 1]}`);
    upstream.write(head.join('\r\n') + '\r\n\r\n');
    upstream.pipe(client).pipe(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  }

  private keep(socket: Socket): Socket {
    if (!this.upstream.has(socket)) {
      this.upstream.add(socket);
      socket.once('close', () => this.upstream.delete(socket));
    }
    return socket;
  }
}
