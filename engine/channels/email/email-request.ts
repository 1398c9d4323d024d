/** The site an email is sent for, as configured. */
export interface EmailSite {
  key: string;
  name: string;
  /** Sender address: a bare `shop@example.com` (shown with the site name) or `Name <shop@example.com>`. */
  from: string;
  /** Public base URL of the site, without a trailing slash; templates build links on it. */
  publicUrl: string;
  /** Signs outgoing messages when set. */
  dkim?: DkimSigning;
  /** An address that unsubscribes whoever writes to it, offered in List-Unsubscribe next to the URL. */
  unsubscribeMailto?: string;
}

/** nodemailer's DKIM options: the private key itself (PEM), not its path. */
export interface DkimSigning {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/** What the scenario core asks the email channel to send for one trigger. */
export interface EmailRequest {
  triggerId: string;
  scenarioId: string;
  site: EmailSite;
  /** The visitor id; the message's signed links (unsubscribe, open, click) carry it. */
  visitor?: string;
  to: string;
  /**
   * An email the visitor expects because of what they did (an order confirmation): the mailer
   * sends it without marketing consent and past an unsubscribe (not past a bounce or a
   * complaint), and it carries no List-Unsubscribe headers, being on no list. Absent (jobs
   * queued before the field existed): marketing.
   */
  transactional?: boolean;
  /** Template name: the `<name>` of `<name>.html.liquid` in the template folder. */
  template: string;
  /** A Liquid subject set by the scenario, in place of the template's subject part. */
  subject?: string;
  /** Template variables: visitor, product, cart, cartTotal, scenario… */
  context: Record<string, unknown>;
}
