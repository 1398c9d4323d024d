import { createTransport } from 'nodemailer';
import { TripwireError } from '../../../errors.js';
import type { EmailTransport, OutgoingEmail, SentEmail } from '../email-transport.js';

export interface SmtpTransportOptions {
  /** `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
  url: string;
  /** Connections the pool may open at once; nodemailer's default is 5. */
  maxConnections?: number;
}

/** Fail in seconds, not nodemailer's minutes: a trigger email is worth little an hour late. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 60_000 };

/** Sends through an SMTP relay over one pool of connections, opened once for the engine's life. */
export class SmtpTransport implements EmailTransport {
  private readonly relay: string;
  private readonly pool;

  constructor(options: SmtpTransportOptions) {
    this.relay = relayOf(options.url);
    this.pool = createTransport({
      url: options.url,
      pool: true,
      ...TIMEOUTS,
      ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    });
  }

  /** Connects and authenticates once, so a wrong SMTP_URL shows at start rather than at the first trigger. */
  async verify(): Promise<void> {
    try {
      await this.pool.verify();
    } catch (error) {
      throw this.failure(error, 'cannot connect');
    }
  }

  async send(message: OutgoingEmail): Promise<SentEmail> {
    try {
      const info = await this.pool.sendMail(message);
      return { messageId: info.messageId };
    } catch (error) {
      throw this.failure(error, `could not send ${message.messageId}`);
    }
  }

  async close(): Promise<void> {
    this.pool.close();
  }

  private failure(error: unknown, what: string): TripwireError {
    const detail = error as { response?: string; message?: string; code?: string };
    const reason = detail.response ?? detail.message ?? String(error);
    const code = detail.code ? ` [${detail.code}]` : '';
    return new TripwireError('TW_EMAIL_FAILED', `SMTP ${this.relay} ${what}: ${reason}${code}`, { cause: error });
  }
}

/** host:port for messages; the URL itself may carry a password and never reaches a log. */
function relayOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The URL parser's error carries the input, password included, so it is not kept as a cause.
    throw new TripwireError('TW_CONFIG_INVALID', 'SMTP_URL is not a URL: expected smtp://user:pass@host:port or smtps://…');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new TripwireError('TW_CONFIG_INVALID', `SMTP_URL must start with smtp:// or smtps://, not ${parsed.protocol}//`);
  }
  const port = parsed.port || (parsed.protocol === 'smtps:' ? '465' : '587');
  return `${parsed.hostname}:${port}`;
}
