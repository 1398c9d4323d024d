import { createServer } from 'node:net';
import { TripwireError } from '../errors.js';

/**
 * Why the gateway could not listen on host:port, as an error the operator can act on. uWS says
 * only that it failed, so the same bind is tried once more with Node's own socket, whose error
 * code tells a busy port from a host that does not resolve or is not this machine's.
 */
export async function listenRefusal(host: string, port: number): Promise<TripwireError> {
  const code = await bindErrorCode(host, port);
  const address = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
    case undefined:
      return new TripwireError(
        'TW_PORT_IN_USE',
        `cannot listen on ${address}: another process holds port ${port}, maybe another Tripwire engine (\`ss -ltnp 'sport = :${port}'\` names it). ` +
          'Stop it, or give this engine another port (PORT / server.port).',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new TripwireError('TW_CONFIG_INVALID', `server.host "${host}" (HOST) does not resolve to an address: ${HOST_CHOICES}`);
    case 'EADDRNOTAVAIL':
      return new TripwireError('TW_CONFIG_INVALID', `server.host "${host}" (HOST) is not an address of this machine: ${HOST_CHOICES}`);
    case 'EACCES':
      return new TripwireError('TW_CONFIG_INVALID', `server.port ${port} (PORT) needs privileges this process lacks (ports below 1024): use a port above 1023, with a proxy in front for 80 or 443`);
    default:
      return new TripwireError('TW_CONFIG_INVALID', `cannot listen on ${address} (server.host, server.port): ${code}`);
  }
}

const HOST_CHOICES = 'give an address of this machine, 0.0.0.0 for all of its addresses, or 127.0.0.1 for this machine alone';

/** The error code of binding host:port now; undefined when the bind succeeds (the holder has just let go). */
function bindErrorCode(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}
