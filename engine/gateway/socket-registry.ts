import type { WebSocket } from 'uWebSockets.js';
import type { VisitorRef } from '../events/index.js';
import type { PopinMessage } from '../protocol/index.js';
import type { VisitorConnections } from '../channels/popin/index.js';

export interface SocketData {
  visitor: VisitorRef;
  /** Events handed to the pipeline and not yet acked: bounded, since uWS has no inbound backpressure. */
  inFlight: number;
  closed: boolean;
  /** Event ids acked since the last flush of the AckBatcher; undefined when none are waiting. */
  acked?: string[] | undefined;
}

/** The open tracker connections of each visitor (a visitor with two tabs has two). */
export class SocketRegistry implements VisitorConnections {
  private readonly sockets = new Map<string, Set<WebSocket<SocketData>>>();

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
    }
    set.add(socket);
  }

  remove(socket: WebSocket<SocketData>): void {
    const key = keyOf(socket.getUserData().visitor);
    const set = this.sockets.get(key);
    if (set === undefined) return;
    set.delete(socket);
    if (set.size === 0) this.sockets.delete(key);
  }

  send(visitor: VisitorRef, message: PopinMessage): boolean {
    const set = this.sockets.get(keyOf(visitor));
    if (set === undefined) return false;
    const text = JSON.stringify(message);
    let sent = false;
    for (const socket of set) {
      if (socket.getUserData().closed) continue;
      socket.cork(() => socket.send(text));
      sent = true;
    }
    return sent;
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
