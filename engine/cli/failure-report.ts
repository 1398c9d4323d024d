import { isTripwireError } from '../errors.js';

/** A command's failure as the CLI prints it on stderr: a TripwireError's code, message and hint, else the stack. */
export function reportFailure(error: unknown): void {
  if (isTripwireError(error)) process.stderr.write(`tripwire: ${error.code}: ${error.message}\n  hint: ${error.hint}\n`);
  else process.stderr.write(`tripwire: ${(error as Error).stack ?? String(error)}\n`);
}
