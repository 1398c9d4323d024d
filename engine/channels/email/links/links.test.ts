import { describe, expect, it } from 'vitest';
import { EmailLinks, readLinkToken, signLinkToken, trackLinks, withOpenPixel, type LinkClaim } from './index.js';

const secrets = new Map([
  ['acme', 'acme-secret-0123456789'],
  ['other', 'other-secret-0123456789'],
]);
const links = new EmailLinks({ baseUrl: 'https://engine.test/', secrets });
const subject = { site: 'acme', trigger: 'trg-1', visitor: 'v-1', scenario: 'cart-abandoned', email: 'ada@example.test' };
const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1).replace(/\.gif$/, '');

describe('email link tokens', () => {
  it('carry their claim back unchanged', () => {
    const claim: LinkClaim = { kind: 'click', site: 'acme', trigger: 't', visitor: 'v', scenario: 's', url: 'https://acme.test/p?a=1&b=2' };

    expect(readLinkToken(signLinkToken(secrets.get('acme')!, claim), (site) => secrets.get(site))).toEqual(claim);
  });

  it('are refused when a single character of the claim or the signature changes', () => {
    const token = tokenOf(links.unsubscribeUrl(subject));
    const [payload, signature] = token.split('.') as [string, string];
    const swap = (text: string, at: number) => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;

    expect(links.verify(`${swap(payload, 5)}.${signature}`, 'unsubscribe')).toBeUndefined();
    expect(links.verify(`${payload}.${swap(signature, 3)}`, 'unsubscribe')).toBeUndefined();
    expect(links.verify(token, 'unsubscribe')).toMatchObject({ email: 'ada@example.test' });
  });

  it('are refused when signed with another site\'s secret', () => {
    const forged = signLinkToken(secrets.get('other')!, { kind: 'unsubscribe', site: 'acme', trigger: 't', visitor: 'v', scenario: 's', email: 'x@y.z' });

    expect(links.verify(forged, 'unsubscribe')).toBeUndefined();
  });

  it('only answer for the kind of link they were made for', () => {
    const open = tokenOf(links.openPixelUrl(subject));

    expect(links.verify(open, 'open')).toBeDefined();
    expect(links.verify(open, 'unsubscribe')).toBeUndefined();
  });

  it('refuse garbage', () => {
    expect(links.verify('not-a-token', 'click')).toBeUndefined();
    expect(links.verify('e30.AAAA', 'click')).toBeUndefined();
  });

  it('build links on the engine URL known when the link is made', () => {
    let base = 'http://localhost:1';
    const late = new EmailLinks({ baseUrl: () => base, secrets });
    base = 'http://localhost:4321';

    expect(late.clickUrl(subject, 'https://acme.test/')).toMatch(/^http:\/\/localhost:4321\/r\//);
  });
});

describe('tracked HTML', () => {
  it('points http links at the tracker, unescaping the target first and keeping the ones it is told to', () => {
    const html = '<a href="https://acme.test/p?a=1&amp;b=2">P</a> <a class="x" href="https://acme.test/u">U</a> <a href="mailto:a@b.c">M</a>';

    const tracked = trackLinks(html, (url) => `https://engine.test/r/${encodeURIComponent(url)}`, (url) => url.endsWith('/u'));

    expect(tracked).toBe(
      '<a href="https://engine.test/r/https%3A%2F%2Facme.test%2Fp%3Fa%3D1%26b%3D2">P</a> <a class="x" href="https://acme.test/u">U</a> <a href="mailto:a@b.c">M</a>',
    );
  });

  it('puts the open pixel just before the end of the body', () => {
    expect(withOpenPixel('<html><body><p>hi</p></body></html>', 'https://engine.test/o/t.gif')).toBe(
      '<html><body><p>hi</p><img src="https://engine.test/o/t.gif" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;">\n</body></html>',
    );
  });
});
