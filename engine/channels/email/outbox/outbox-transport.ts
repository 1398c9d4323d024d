import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTransport } from 'nodemailer';
import { TripwireError } from '../../../errors.js';
import { systemClock, type Clock } from '../../../events/index.js';
import type { EmailTransport, OutgoingEmail, SentEmail } from '../email-transport.js';

export interface OutboxTransportOptions {
  /** The folder receiving one `.eml` file per message; created when missing. */
  dir: string;
  clock?: Clock;
}

/**
 * The embedded default: each message becomes an RFC 5322 `.eml` file that any mail client
 * opens, named `<time>-<trigger>.eml` so a listing reads in sending order. A file appears
 * whole or not at all (written aside, then renamed), so a watcher never reads half a message.
 */
export class OutboxTransport implements EmailTransport {
  private readonly dir: string;
  private readonly clock: Clock;
  private readonly composer = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  private ready: Promise<unknown> | undefined;

  constructor(options: OutboxTransportOptions) {
    this.dir = resolve(options.dir);
    this.clock = options.clock ?? systemClock;
  }

  async send(message: OutgoingEmail): Promise<SentEmail> {
    const info = await this.composer.sendMail(message);
    const file = join(this.dir, fileNameOf(this.clock.now(), message.messageId));
    try {
      await this.write(file, info.message as Buffer);
    } catch (error) {
      this.ready = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      throw new TripwireError('TW_EMAIL_FAILED', `outbox ${this.dir}: cannot write ${file} (${reason})`, { cause: error });
    }
    return { messageId: info.messageId };
  }

  private async write(file: string, content: Buffer): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true });
    await this.ready;
    const temporary = join(this.dir, `.${randomUUID()}.tmp`);
    try {
      await writeFile(temporary, content);
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async close(): Promise<void> {
    this.composer.close();
  }
}

/** `2025-01-31T09-15-02.120Z-<trigger>.eml`: colons are not allowed in Windows file names. */
function fileNameOf(time: number, messageId: string): string {
  const stamp = new Date(time).toISOString().replace(/:/g, '-');
  const local = messageId.replace(/^<|>$/g, '').split('@')[0] ?? '';
  return `${stamp}-${local.replace(/[^A-Za-z0-9_.-]/g, '_') || 'message'}.eml`;
}
