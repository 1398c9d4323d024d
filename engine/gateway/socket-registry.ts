import type { WebSocket } from 'uWebSockets.js';
import type { VisitorRef } from '../events/index.js';
import type { PopinMessage } from '../protocol/index.js';
import type { VisitorConnections } from '../channels/popin/index.js';
import type { PopinOutcome } from '../pipeline/index.js';

export interface SocketData {
  visitor: VisitorRef;
  /** Events handed to the pipeline and not yet acked: bounded, since uWS has no inbound backpressure. */
  inFlight: number;
  closed: boolean;
  /** Event ids acked since the last flush of the AckBatcher; undefined when none are waiting. */
  acked?: string[] | undefined;
}

/** What uWS's send() returns when the socket's buffer is past maxBackpressure: the message is not sent. */
const SEND_DROPPED = 2;

/**
 * Sends one text message, or several in one cork (one socket write); returns how many uWS refused
 * because the socket's buffer was past maxBackpressure (a client that stopped reading). Sent with
 * built-up backpressure (status 0) still counts as sent: uWS buffers it. A single message is not
 * wrapped in an array: acks take this path on every flush.
 */
export function sendCorked(socket: WebSocket<SocketData>, texts: string | readonly string[]): number {
  let refused = 0;
  socket.cork(() => {
    if (typeof texts === 'string') refused = socket.send(texts) === SEND_DROPPED ? 1 : 0;
    else for (const text of texts) if (socket.send(text) === SEND_DROPPED) refused++;
  });
  return refused;
}

/** The open tracker connections of each visitor (a visitor with two tabs has two). */
export class SocketRegistry implements VisitorConnections {
  private readonly sockets = new Map<string, Set<WebSocket<SocketData>>>();

  /** `onVisitorBack`: a visitor with no open connection opened one; `onVisitorGone`: a visitor's last connection closed. */
  constructor(
    private readonly onVisitorBack: (visitor: VisitorRef) => void = () => {},
    private readonly onVisitorGone: (visitor: VisitorRef) => void = () => {},
  ) {}

  get size(): number {
    let count = 0;
    for (const set of this.sockets.values()) count += set.size;
    return count;
  }

  add(socket: WebSocket<SocketData>): void {
    const key = keyOf(socket.getUserData().visitor);
    let set = this.sockets.get(key);
    if (set === undefined) {
      set = new Set();
      this.sockets.set(key, set);
      this.onVisitorBack(socket.getUserData().visitor);
    }
    set.add(socket);
  }

  remove(socket: WebSocket<SocketData>): void {
    const key = keyOf(socket.getUserData().visitor);
    const set = this.sockets.get(key);
    if (set === undefined) return;
    set.delete(socket);
    if (set.size > 0) return;
    this.sockets.delete(key);
    this.onVisitorGone(socket.getUserData().visitor);
  }

  send(visitor: VisitorRef, message: PopinMessage): PopinOutcome {
    const set = this.sockets.get(keyOf(visitor));
    if (set === undefined) return 'no_connection';
    const text = JSON.stringify(message);
    let outcome: PopinOutcome = 'no_connection';
    for (const socket of set) {
      if (socket.getUserData().closed) continue;
      if (sendCorked(socket, text) === 0) outcome = 'sent';
      else if (outcome === 'no_connection') outcome = 'dropped';
    }
    return outcome;
  }

  /** Closes every connection (shutdown): clients reconnect to another engine and resend what was not acked. */
  closeAll(): void {
    for (const set of this.sockets.values()) {
      for (const socket of set) if (!socket.getUserData().closed) socket.end(1001, 'engine shutting down');
    }
    this.sockets.clear();
  }
}

function keyOf(visitor: VisitorRef): string {
  return `${visitor.site}\0${visitor.visitor}`;
}
