import type { VisitorRef } from '../events/index.js';
import type { CartLine, Candidate, PopinAction, EmailAction, WebhookAction } from '../scenarios/index.js';

/** What the pipeline knows of a site; the composition root fills it from config. */
export interface SiteProfile {
  key: string;
  name: string;
  url: string;
  from: string;
  requireVerifiedEmail: boolean;
}

/** Everything a pop-in or email template may read. */
export interface DeliveryContext {
  /** `time`: when the engine decided to send it (its trigger row's time), not the event's time (`event.time`). */
  trigger: { id: string; scenario: string; variant: string; time: number };
  site: { key: string; name: string; url: string };
  visitor: Record<string, string>;
  cart: CartLine[];
  cartTotal: number;
  scenario: Candidate['context']['scenario'];
  event: Candidate['context']['event'];
  props: Candidate['context']['props'];
}

/**
 * What became of a pop-in: `sent` down at least one of the visitor's open connections;
 * `no_connection` when they have none; `dropped` when every one refused it, its send buffer
 * full (a client that stopped reading).
 */
export type PopinOutcome = 'sent' | 'no_connection' | 'dropped';

/** Sends a pop-in down the visitor's open connections. */
export interface PopinPort {
  show(visitor: VisitorRef, action: PopinAction, context: DeliveryContext): Promise<PopinOutcome>;
}

export interface EmailOrder {
  triggerId: string;
  visitor: VisitorRef;
  to: string;
  /** The scenario's `transactional`: the mailer lets it past an unsubscribe and asks no marketing consent. */
  transactional: boolean;
  action: EmailAction;
  context: DeliveryContext;
}

/**
 * Takes an email to send. Resolves once the email subsystem owns it (durably queued, or sent);
 * from then on it records the delivery's states (queued, sent, failed...) itself.
 */
export interface EmailPort {
  enqueue(order: EmailOrder): Promise<void>;
}

/** Product data the engine trusts: from the site's catalogue, never from the visitor's browser. */
export interface ProductCatalogue {
  product(id: string, site: string): { name: string; price: number; image: string; url: string } | undefined;
}

export interface WebhookOrder {
  triggerId: string;
  visitor: VisitorRef;
  action: WebhookAction;
  context: DeliveryContext;
}

/** Posts a trigger to another system; like email, it records its own delivery states. */
export interface WebhookPort {
  enqueue(order: WebhookOrder): Promise<void>;
}
