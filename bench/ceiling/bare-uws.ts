/**
 * The ceiling the engine is measured against: a bare uWebSockets.js server with the engine's
 * socket settings and nothing else. On /live it decodes each frame as the gateway does (bytes to
 * text, JSON.parse) and drops it; on /echo it sends each frame straight back, giving the
 * transport's own round trip. Given a Redis connection, /redis-echo and /redis-echo-2 send each
 * frame back after one or two Redis round trips in a row (a pop-in on the Redis store waits for
 * one, the frame's apply that takes its claims, or for two when its screening needs the profile
 * the frame leaves), giving the floor of any server that asks Redis before it answers. GET /count
 * reports what it has seen, so the harness measures the rate the server processed rather than
 * the rate k6 offered.
 */
import uWS from 'uWebSockets.js';
import type { RedisConnection } from '../../engine/redis/index.js';

export interface CeilingCounts {
  frames: number;
  events: number;
  echoed: number;
}

export interface CeilingServer {
  port: number;
  counts: CeilingCounts;
  close(): void;
}

export interface CeilingOptions {
  port?: number;
  host?: string;
  /** Enables the Redis echo routes. */
  redis?: RedisConnection;
  /** The key each Redis round trip increments. */
  redisEchoKey?: string;
}

interface SocketState {
  open: boolean;
}

const MAX_PAYLOAD = 256 * 1024;
/** One small key of the bench's own: each round trip is an INCR, a command Redis answers in about a microsecond. */
const REDIS_ECHO_KEY = 'tw-bench:redis-echo';

export function startCeilingServer(options: CeilingOptions = {}): Promise<CeilingServer> {
  const { port = 0, host = '127.0.0.1', redis, redisEchoKey = REDIS_ECHO_KEY } = options;
  const counts: CeilingCounts = { frames: 0, events: 0, echoed: 0 };
  const settings = { compression: uWS.DISABLED, maxPayloadLength: MAX_PAYLOAD, maxBackpressure: 1024 * 1024, idleTimeout: 120 };
  const app = uWS
    .App()
    .ws('/live', {
      ...settings,
      message: (_ws, message) => {
        const frame = JSON.parse(Buffer.from(message).toString('utf8')) as { b?: unknown[] };
        counts.frames++;
        counts.events += Array.isArray(frame.b) ? frame.b.length : 0;
      },
    })
    .ws('/echo', {
      ...settings,
      message: (ws, message) => {
        counts.echoed++;
        ws.send(message, false);
      },
    })
    .get('/count', (res) => {
      res.writeHeader('Content-Type', 'application/json').end(JSON.stringify(counts));
    });
  if (redis !== undefined) {
    for (const [path, trips] of [['/redis-echo', 1], ['/redis-echo-2', 2]] as const) app.ws<SocketState>(path, redisEcho(redis, redisEchoKey, trips, counts, settings));
  }
  return new Promise((resolve, reject) => {
    app.listen(host, port, (socket) => {
      if (socket === false) {
        reject(new Error(`the bare uWS server cannot listen on ${host}:${port}`));
        return;
      }
      resolve({ port: uWS.us_socket_local_port(socket), counts, close: () => uWS.us_listen_socket_close(socket) });
    });
  });
}

function redisEcho(redis: RedisConnection, key: string, trips: number, counts: CeilingCounts, settings: uWS.WebSocketBehavior<SocketState>): uWS.WebSocketBehavior<SocketState> {
  return {
    ...settings,
    open: (ws) => {
      ws.getUserData().open = true;
    },
    close: (ws) => {
      ws.getUserData().open = false;
    },
    message: (ws, message) => {
      // uWS reuses the message's memory once this callback returns: ArrayBuffer.slice copies it.
      const copy = message.slice(0);
      const answer = (): void => {
        counts.echoed++;
        if (ws.getUserData().open) ws.send(copy, false);
      };
      let trip = redis.send(key, ['INCR', key]);
      for (let more = 1; more < trips; more++) trip = trip.then(() => redis.send(key, ['INCR', key]));
      trip.then(answer, (error: unknown) => {
        console.error(`the Redis echo failed: ${error instanceof Error ? error.message : String(error)}`);
        if (ws.getUserData().open) ws.end(1011, 'redis failed');
      });
    },
  };
}
