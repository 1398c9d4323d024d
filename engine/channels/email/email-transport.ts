import type { DkimSigning } from './email-request.js';

/** A fully rendered message; its fields are the ones nodemailer's sendMail takes. */
export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  /** `<id@domain>`, angle brackets included. */
  messageId: string;
  dkim?: DkimSigning;
  /**
   * The SMTP envelope (MAIL FROM, RCPT TO), when given: the only recipients the relay is asked
   * to deliver to, whatever the headers say. EmailChannel always sets it, to one address.
   */
  envelope?: { from: string; to: string[] };
}

export interface SentEmail {
  messageId: string;
}

/** Where composed emails go: an outbox folder, an SMTP relay. */
export interface EmailTransport {
  send(message: OutgoingEmail): Promise<SentEmail>;
  close(): Promise<void>;
}
