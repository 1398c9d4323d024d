import WebSocket from 'ws';

/** A raw protocol client: what a tracker, a mobile app or an attacker could send. */
export class SocketClient {
  readonly received: Array<Record<string, unknown>> = [];
  /** Every event id an ack has listed: the engine acks the frames of a socket that finish together in one message. */
  private readonly ackedIds = new Set<string>();
  /** The close code, once the connection closed (whichever side closed it). */
  readonly closed: Promise<number>;
  private constructor(private readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => socket.once('close', (code) => resolve(code)));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.k === 'ack' && Array.isArray(message.i)) for (const id of message.i) this.ackedIds.add(String(id));
      this.received.push(message);
    });
  }

  static open(engineUrl: string, site: string, visitor: string): Promise<SocketClient> {
    const socket = new WebSocket(socketUrl(engineUrl, site, visitor));
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new SocketClient(socket)));
      socket.once('error', reject);
    });
  }

  /** The HTTP answer of an upgrade the engine refuses. */
  static refusal(engineUrl: string, site: string, visitor: string): Promise<{ status: number; body: string }> {
    const socket = new WebSocket(socketUrl(engineUrl, site, visitor));
    return new Promise((resolve, reject) => {
      socket.once('open', () => reject(new Error('the engine accepted the connection')));
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
    });
  }

  send(text: string): void {
    this.socket.send(text);
  }

  /** Waits for the next message matching `predicate` among those not yet taken. */
  async next(predicate: (message: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex(predicate);
      if (index >= 0) return this.received.splice(index, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.received)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Waits until acks have listed every one of `ids`, in one message or several. */
  async acked(ids: readonly string[], timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ids.every((id) => this.ackedIds.has(id))) {
      if (Date.now() > deadline) throw new Error(`not every id acked within ${timeoutMs} ms: ${ids.filter((id) => !this.ackedIds.has(id)).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** True once an ack listed `id`: what the tracker drops from its outbox (the rest it resends on its next connection). */
  isAcked(id: string): boolean {
    return this.ackedIds.has(id);
  }

  /** Stops reading from the socket, as a frozen tab would: what the engine sends piles up in its buffers. */
  stopReading(): void {
    this.socket.pause();
  }

  close(): void {
    this.socket.close();
  }
}

function socketUrl(engineUrl: string, site: string, visitor: string): string {
  return `${engineUrl.replace(/^http/, 'ws')}/live?s=${encodeURIComponent(site)}&v=${encodeURIComponent(visitor)}`;
}

export function event(id: string, type: string, props: Record<string, unknown> = {}): Record<string, unknown> {
  return { i: id, t: type, ts: Date.now(), u: 'https://shop.example/p', p: props };
}
