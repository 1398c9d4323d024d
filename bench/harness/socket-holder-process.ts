/**
 * Opens COUNT idle tracker sockets to an engine and holds them, in its own process so their
 * memory is not the engine's. argv: socket URL base (ws://host:port/live?s=site&v=), count.
 */
import WebSocket from 'ws';

const [base = '', countText = '0'] = process.argv.slice(2);
const count = Number(countText);
const sockets: WebSocket[] = [];
const OPENING_AT_ONCE = 200;

async function open(index: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = new WebSocket(`${base}hold-${process.pid}-${index}`);
    socket.once('open', () => resolve());
    socket.once('error', reject);
    sockets.push(socket);
  });
}

async function main(): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: OPENING_AT_ONCE }, async () => {
      while (next < count) await open(next++);
    }),
  );
  process.send?.({ open: sockets.length });
}

process.on('message', () => {
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));
main().catch((error: unknown) => {
  process.send?.({ error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
