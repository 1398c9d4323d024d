import { readLinkToken, signLinkToken, type LinkClaim, type LinkKind } from './link-token.js';

/** Who a message is for, as its links record it. */
export interface LinkSubject {
  site: string;
  trigger: string;
  visitor: string;
  scenario: string;
  email: string;
}

export interface EmailLinksOptions {
  /**
   * The engine's public URL (config server.publicUrl); a function when it is known only once
   * the engine listens (http://localhost:<port>).
   */
  baseUrl: string | (() => string);
  /** Site key → site secret. */
  secrets: ReadonlyMap<string, string>;
}

/** Path prefixes of the pages that answer the links; the engine serves them. */
export const LINK_PATHS = { unsubscribe: '/u', open: '/o', click: '/r' } as const;

/**
 * Builds the signed links of a message (unsubscribe, open pixel, click redirect) and checks
 * the tokens that come back. A click link carries its destination inside the signed token,
 * so the redirect goes only where the engine itself pointed it: no open redirect.
 */
export class EmailLinks {
  private readonly base: () => string;
  private readonly secrets: ReadonlyMap<string, string>;

  constructor(options: EmailLinksOptions) {
    const baseUrl = options.baseUrl;
    this.base = typeof baseUrl === 'string' ? () => baseUrl : baseUrl;
    this.secrets = options.secrets;
  }

  unsubscribeUrl(subject: LinkSubject): string {
    return `${this.baseUrl()}${LINK_PATHS.unsubscribe}/${this.sign(subject, 'unsubscribe', { email: subject.email })}`;
  }

  openPixelUrl(subject: LinkSubject): string {
    return `${this.baseUrl()}${LINK_PATHS.open}/${this.sign(subject, 'open', {})}.gif`;
  }

  clickUrl(subject: LinkSubject, url: string): string {
    return `${this.baseUrl()}${LINK_PATHS.click}/${this.sign(subject, 'click', { url })}`;
  }

  /** The claim of a token of this kind that the engine signed; undefined for a forged, altered or foreign one. */
  verify(token: string, kind: LinkKind): LinkClaim | undefined {
    const claim = readLinkToken(token, (site) => this.secrets.get(site));
    return claim?.kind === kind ? claim : undefined;
  }

  private baseUrl(): string {
    return this.base().replace(/\/+$/, '');
  }

  private sign(subject: LinkSubject, kind: LinkKind, extra: { email?: string; url?: string }): string {
    const secret = this.secrets.get(subject.site);
    if (secret === undefined) throw new Error(`no secret for site "${subject.site}": links cannot be signed`);
    return signLinkToken(secret, { kind, site: subject.site, trigger: subject.trigger, visitor: subject.visitor, scenario: subject.scenario, ...extra });
  }
}
