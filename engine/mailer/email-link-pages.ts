import { ErrorCodes } from '../errors.js';
import { LINK_PATHS, type EmailLinks, type LinkClaim } from '../channels/email/index.js';
import type { Clock } from '../events/index.js';
import type { PageRequest, PageResponse, PageSource } from '../gateway/index.js';
import type { DeliveryLog, DeliveryRef } from './delivery-log.js';
import type { SuppressionList } from './suppression-list.js';

export interface EmailLinkPagesDeps {
  links: EmailLinks;
  suppressions: SuppressionList;
  log: DeliveryLog;
  clock: Clock;
  /** Site key → the name shown on the unsubscribe pages. */
  siteNames: ReadonlyMap<string, string>;
}

/** 1×1 transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const HTML = 'text/html; charset=utf-8';
const NO_STORE = { 'Cache-Control': 'no-store' };
const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The pages behind an email's links: `/u/<token>` (unsubscribe: a GET shows a confirmation
 * button, since link scanners fetch every URL in a message; a POST, the button's or a mail
 * client's RFC 8058 one-click, unsubscribes), `/o/<token>.gif` (the open pixel) and
 * `/r/<token>` (the click redirect, only to the URL signed into the token). A token the engine
 * did not sign, or one altered in any way, is refused with 400 and records nothing.
 */
export class EmailLinkPages {
  constructor(private readonly deps: EmailLinkPagesDeps) {}

  sources(): PageSource[] {
    return [
      { prefix: LINK_PATHS.unsubscribe, handle: (request) => this.unsubscribe(request) },
      { prefix: LINK_PATHS.open, handle: (request) => this.open(request) },
      { prefix: LINK_PATHS.click, handle: (request) => this.click(request) },
    ];
  }

  private async unsubscribe(request: PageRequest): Promise<PageResponse | undefined> {
    const token = tokenOf(request.path, LINK_PATHS.unsubscribe, '');
    if (token === undefined) return undefined;
    const claim = this.deps.links.verify(token, 'unsubscribe');
    if (claim?.email === undefined) return invalidLink();
    const site = this.deps.siteNames.get(claim.site) ?? claim.site;
    if (request.method === 'GET') return page(200, confirmationPage(site, claim.email, request.path));
    if (request.method !== 'POST') return undefined;
    // RFC 8058's body, which only a mail client's one-click button sends: the page's form posts a field of its own.
    const oneClick = new URLSearchParams(request.body ?? '').get('List-Unsubscribe') === 'One-Click';
    await this.deps.suppressions.add({
      site: claim.site,
      email: claim.email,
      reason: 'unsubscribe',
      at: this.deps.clock.now(),
      detail: oneClick ? 'one-click' : 'confirmation page',
    });
    this.deps.log.record(refOf(claim), 'unsubscribed', oneClick ? 'one-click' : 'confirmation page');
    return page(200, donePage(site, claim.email));
  }

  private async open(request: PageRequest): Promise<PageResponse | undefined> {
    const token = tokenOf(request.path, LINK_PATHS.open, '.gif');
    if (token === undefined || request.method !== 'GET') return undefined;
    const claim = this.deps.links.verify(token, 'open');
    if (claim === undefined) return invalidLink();
    this.deps.log.record(refOf(claim), 'opened', '', this.deps.clock.now());
    return { status: 200, contentType: 'image/gif', body: PIXEL, headers: NO_STORE };
  }

  private async click(request: PageRequest): Promise<PageResponse | undefined> {
    const token = tokenOf(request.path, LINK_PATHS.click, '');
    if (token === undefined || request.method !== 'GET') return undefined;
    const claim = this.deps.links.verify(token, 'click');
    if (claim?.url === undefined || !/^https?:\/\//i.test(claim.url)) return invalidLink();
    this.deps.log.record(refOf(claim), 'clicked', claim.url, this.deps.clock.now());
    return { status: 302, contentType: 'text/plain; charset=utf-8', body: '', headers: { ...NO_STORE, Location: claim.url } };
  }
}

function tokenOf(path: string, prefix: string, suffix: string): string | undefined {
  if (!path.startsWith(`${prefix}/`) || !path.endsWith(suffix)) return undefined;
  const token = path.slice(prefix.length + 1, path.length - suffix.length);
  return TOKEN.test(token) ? token : undefined;
}

function refOf(claim: LinkClaim): DeliveryRef {
  return { trigger: claim.trigger, site: claim.site, visitor: claim.visitor, scenario: claim.scenario };
}

function invalidLink(): PageResponse {
  return page(
    400,
    layout(
      'Link not valid',
      `<h1>This link is not valid</h1><p>TW_LINK_INVALID: ${ErrorCodes.TW_LINK_INVALID}</p>`,
    ),
  );
}

function confirmationPage(site: string, email: string, action: string): string {
  return layout(
    `Unsubscribe from ${site}`,
    `<h1>Unsubscribe from ${escape(site)}?</h1>
<p>${escape(email)} will get no more marketing emails from ${escape(site)}.</p>
<form method="post" action="${escape(action)}">
<input type="hidden" name="unsubscribe" value="confirmation-page">
<button type="submit" data-test="unsubscribe">Unsubscribe</button>
</form>`,
  );
}

function donePage(site: string, email: string): string {
  return layout('Unsubscribed', `<h1>You are unsubscribed</h1><p>${escape(email)} will get no more marketing emails from ${escape(site)}.</p>`);
}

function page(status: number, body: string): PageResponse {
  return { status, contentType: HTML, body, headers: { ...NO_STORE, 'X-Robots-Tag': 'noindex' } };
}

function layout(title: string, content: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#111827}button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:6px;background:#2563eb;color:#fff;cursor:pointer}</style>
</head><body>${content}</body></html>`;
}

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
