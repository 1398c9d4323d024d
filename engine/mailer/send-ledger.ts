/**
 * What `begin` found: the send is ours to make (`acquired`), was made already (`sent`), or is
 * being made by another consumer whose lease ends in `retryInMs` (`busy`).
 */
export type SendClaim = { state: 'acquired' } | { state: 'sent' } | { state: 'busy'; retryInMs: number };

/**
 * The idempotency record around each send, keyed by trigger id: a state machine
 * (absent → sending, leased to one consumer → sent). A consumer sends only after acquiring the
 * lease, and marks the trigger sent as soon as the SMTP server has accepted the message, so
 * retries, reclaims and two workers never send twice. The holder renews the lease while its SMTP
 * transaction lasts, so a slow server never lets it expire under a live send; a consumer that
 * dies while holding it stops renewing and frees the trigger when it expires.
 */
export interface SendLedger {
  begin(id: string, consumer: string, leaseMs: number): Promise<SendClaim>;
  /** Extends the lease to `leaseMs` from now if this consumer still holds it; false when it does not (expired, or sent). */
  renew(id: string, consumer: string, leaseMs: number): Promise<boolean>;
  /** Records the send; kept for the ledger's retention. */
  complete(id: string): Promise<void>;
  /** Gives the lease back after a failed send, if this consumer still holds it. */
  release(id: string, consumer: string): Promise<void>;
  isSent(id: string): Promise<boolean>;
  close(): Promise<void>;
}
