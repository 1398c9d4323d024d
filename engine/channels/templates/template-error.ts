import { relative } from 'node:path';
import { LiquidError } from 'liquidjs';
import { TripwireError } from '../../errors.js';

/**
 * Turns a liquidjs failure into TW_TEMPLATE_INVALID naming the file an author has to open
 * (the layout, when the fault is there) with line and column: `cart.html.liquid:3:7: …`.
 */
export function templateError(error: unknown, dir: string, fallbackFile: string): TripwireError {
  if (error instanceof TripwireError) return error;
  if (LiquidError.is(error)) {
    const innermost = innermostLiquidError(error as LiquidError);
    const token = innermost.token;
    const [line, col] = token.getPosition();
    const file = token.file ? relative(dir, token.file) : fallbackFile;
    return new TripwireError('TW_TEMPLATE_INVALID', `${file}:${line}:${col}: ${liquidMessage(innermost)}`, {
      cause: error,
    });
  }
  if (isMissingFile(error)) {
    return new TripwireError('TW_TEMPLATE_INVALID', `${fallbackFile}: no such file in ${dir}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TripwireError('TW_TEMPLATE_INVALID', `${fallbackFile}: ${message}`, { cause: error });
}

function innermostLiquidError(error: LiquidError): LiquidError {
  let current = error;
  while (current.originalError && LiquidError.is(current.originalError)) {
    current = current.originalError as LiquidError;
  }
  return current;
}

/** liquidjs appends ", file:…, line:…, col:…" to its messages; the file and position are reported our way. */
function liquidMessage(error: LiquidError): string {
  const [line, col] = error.token.getPosition();
  const suffix = `${error.token.file ? `, file:${error.token.file}` : ''}, line:${line}, col:${col}`;
  return error.message.endsWith(suffix) ? error.message.slice(0, -suffix.length) : error.message;
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}
