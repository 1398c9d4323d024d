import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stdout; secrets in URLs are redacted where they are logged. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { service: 'tripwire' } }, destination ?? process.stdout);
}
