import { LockLeftOnHungDisk, loadConfig } from '../config/index.js';
import { startEngine } from '../config/compose.js';
import { reportFailure } from './failure-report.js';
import { parseCommandArgs } from './usage-error.js';

const USAGE = `usage: tripwire start

  Runs the engine until SIGINT/SIGTERM. It takes no arguments: its configuration comes from the
  JSON file in $TW_CONFIG and the environment (README: Configuration).
`;

export async function runStart(args: string[]): Promise<number> {
  parseCommandArgs('tripwire start', USAGE, args, { help: { type: 'boolean' } }, 0);
  const config = await loadConfig();
  const engine = await startEngine(config);
  const store = config.store.redisUrl ? 'Redis' : 'in-process store';
  const server = engine.warehouse.version === '' ? 'not reachable yet: rows are kept and sent once it answers (see /healthz)' : engine.warehouse.version;
  const warehouse = config.warehouse.clickhouseUrl ? `ClickHouse ${server}` : `chdb (${engine.warehouse.version}) in ${config.dataDir}/chdb`;
  const email = config.email.smtpUrl ? 'SMTP' : `outbox folder ${engine.outboxDir}`;
  // On stderr: stdout carries the JSON log lines alone, for a log shipper to read.
  process.stderr.write(
    [
      '',
      `  Tripwire is running on ${engine.url}`,
      config.demo.enabled ? `  Demo shop:   ${engine.url}/shop/   (view one product 3 times)` : '',
      `  State:       ${store}`,
      `  Warehouse:   ${warehouse}`,
      `  Email:       ${email}`,
      `  Metrics:     ${engine.url}/metrics   Health: ${engine.url}/healthz`,
      `  Dashboard:   ${engine.url}/dashboard   Queries API: ${engine.url}/api/queries`,
      engine.adminTokenGenerated
        ? `  Admin token: ${engine.adminToken}   (made for this run; set TW_ADMIN_TOKEN to keep one)`
        : '  Admin token: from config (admin.token / TW_ADMIN_TOKEN)',
      '',
    ]
      .filter((line, i, all) => line !== '' || i === 0 || i === all.length - 1)
      .join('\n') + '\n',
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const shutdown = (received: NodeJS.Signals) => {
      engine.logger.info({ signal: received }, 'shutting down: draining frames, emails and warehouse batches');
      resolve(received);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  try {
    await engine.stop();
  } catch (error) {
    if (leftOnHungDisk(error)) endBy(signal, error);
    throw error;
  }
  return 0;
}

function leftOnHungDisk(error: unknown): boolean {
  return error instanceof LockLeftOnHungDisk || (error instanceof AggregateError && error.errors.some((each) => each instanceof LockLeftOnHungDisk));
}

/**
 * Ends the process by the signal that stopped it, as a process without a handler for it would
 * end: an exit would wait for libuv's threads, one of which waits on a disk that does not answer
 * (LockLeftOnHungDisk), and the supervisor would see the engine still running.
 */
function endBy(signal: NodeJS.Signals, error: unknown): never {
  reportFailure(error);
  process.kill(process.pid, signal);
  // The signal ends the process before this turn is over; nothing runs after it.
  throw error;
}
