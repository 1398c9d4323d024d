/** Why an address gets no more marketing email from a site. */
export type SuppressionReason = 'unsubscribe' | 'bounce' | 'complaint';

export const SUPPRESSION_REASONS: readonly SuppressionReason[] = ['unsubscribe', 'bounce', 'complaint'];

export interface Suppression {
  site: string;
  /** Lowercased. */
  email: string;
  reason: SuppressionReason;
  at: number;
  /** How it came: "one-click", "confirmation page", the SMTP reply of a bounce… */
  detail: string;
}

/**
 * Addresses a site must not email, checked by the worker right before each send. Emails are
 * compared lowercased and trimmed, as identify stores them.
 */
export interface SuppressionList {
  /** Adds or replaces the entry of this site and address. */
  add(entry: Suppression): Promise<void>;
  find(site: string, email: string): Promise<Suppression | undefined>;
  /** False when the address was not on the list. */
  remove(site: string, email: string): Promise<boolean>;
  /** The site's entries, by address. */
  list(site: string): Promise<Suppression[]>;
  close(): Promise<void>;
}

export function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}
