/**
 * The ceiling the engine is measured against: a bare uWebSockets.js server with the engine's
 * socket settings and nothing else. On /live it decodes each frame as the gateway does (bytes to
 * text, JSON.parse) and drops it; on /echo it sends each frame straight back, giving the
 * transport's own round trip. GET /count reports what it has seen, so the harness measures the
 * rate the server processed rather than the rate k6 offered.
 */
import uWS from 'uWebSockets.js';

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

const MAX_PAYLOAD = 256 * 1024;

export function startCeilingServer(port = 0, host = '127.0.0.1'): Promise<CeilingServer> {
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
