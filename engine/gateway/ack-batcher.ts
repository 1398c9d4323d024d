import type { WebSocket } from 'uWebSockets.js';
import { sendCorked, type SocketData } from './socket-registry.js';

interface WaitingSocket {
  ws: WebSocket<SocketData>;
  data: SocketData;
}

/**
 * Acks of one connection that finish in the same event-loop turn leave as one message: a client
 * with several frames in flight gets one `{"k":"ack","i":[...]}` for all of them, which halves
 * the sends (and the client's wake-ups) under load. The flush runs in setImmediate, after the
 * poll phase: uWS drains microtasks after every message callback, so a microtask would flush
 * each frame alone, while setImmediate gathers every frame read in that phase. The socket's data
 * is kept beside it and checked before any call on the socket, which uWS forbids once closed.
 * An ack uWS refuses (the client stopped reading) is counted and not retried: the tracker keeps
 * the events in its outbox and sends them again on its next connection, where they are acked
 * as duplicates.
 */
export class AckBatcher {
  private due: WaitingSocket[] = [];
  private scheduled = false;
  private readonly flushAll = (): void => this.flush();

  constructor(private readonly onDropped: () => void) {}

  ack(ws: WebSocket<SocketData>, data: SocketData, ids: readonly string[]): void {
    if (data.closed) return;
    if (data.acked === undefined) {
      data.acked = [];
      this.due.push({ ws, data });
    }
    for (const id of ids) data.acked.push(id);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushAll);
    }
  }

  /** Sends every waiting ack now; the scheduled flush then finds nothing (a stop calls it before closing the sockets). */
  flush(): void {
    const sockets = this.due;
    this.due = [];
    this.scheduled = false;
    for (const { ws, data } of sockets) {
      const ids = data.acked!;
      data.acked = undefined;
      if (data.closed) continue;
      const text = `{"k":"ack","i":${JSON.stringify(ids)}}`;
      if (sendCorked(ws, text) > 0) this.onDropped();
    }
  }
}
