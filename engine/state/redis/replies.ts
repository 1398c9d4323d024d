import { isTripwireError, TripwireError } from '../../errors.js';

/** Script replies arrive untyped; a shape we did not send back means a foreign or stale script. */
function unexpected(what: string, reply: unknown): TripwireError {
  return new TripwireError(
    'TW_STORE_UNAVAILABLE',
    `Redis answered ${what} with an unexpected reply (${JSON.stringify(reply)}); is another version of Tripwire's scripts loaded?`,
  );
}

export function replyArray(reply: unknown, what: string): unknown[] {
  if (!Array.isArray(reply)) throw unexpected(what, reply);
  return reply;
}

export function replyNumber(reply: unknown, what: string): number {
  const value = typeof reply === 'string' ? Number(reply) : reply;
  if (typeof value !== 'number' || Number.isNaN(value)) throw unexpected(what, reply);
  return value;
}

export function replyString(reply: unknown, what: string): string {
  if (typeof reply !== 'string') throw unexpected(what, reply);
  return reply;
}

/**
 * A command or connection failure of the client (a closed socket, a timeout, an error reply)
 * as the store's own: the pipeline reports it as TW_STORE_UNAVAILABLE, and its client resends,
 * while an error of the engine's own code is TW_INTERNAL.
 */
export function storeFailure(error: unknown, what: string): TripwireError {
  if (isTripwireError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new TripwireError('TW_STORE_UNAVAILABLE', `Redis failed ${what}: ${reason}`, { cause: error });
}
