/** Any origin does: only whether a path stays on it matters. Plain strings, so the tracker's bundle drops them. */
const SITE = 'https://site.invalid/';
const SITE_ORIGIN = 'https://site.invalid';

/**
 * Whether a link (pop-in CTA or image, catalogue url or image) is an absolute http(s) URL or a path
 * on the site itself. Browsers and `new URL` (WHATWG) drop tabs and newlines anywhere, trim control
 * characters and spaces at the ends, and read `\` as `/`, so `/\evil.com` or `/<tab>/evil.com`
 * resolve to another host: a path is judged by where it resolves, not by how it starts, else a
 * templated path (`/{{ props.path }}`) could send visitors off the site.
 */
export function isSafeLink(link: string): boolean {
  const seen = link.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  if (/^https?:\/\//i.test(seen)) return URL.canParse(seen);
  return seen.startsWith('/') && URL.canParse(seen, SITE) && new URL(seen, SITE).origin === SITE_ORIGIN;
}
