import { TripwireError } from '../../errors.js';

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

/** A flat field, value, field, value... array (HGETALL inside a script) as a record. */
export function replyFields(reply: unknown, what: string): Record<string, string> {
  const flat = replyArray(reply, what);
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[replyString(flat[i], what)] = replyString(flat[i + 1], what);
  return fields;
}
