/**
 * Points every http(s) link of the HTML part at `toTracked(url)`, except those `keep` names
 * (the unsubscribe link must work without a detour). The rendered HTML escapes `&` in
 * attributes, so hrefs are unescaped before signing and the tracked URL needs no escaping.
 */
export function trackLinks(html: string, toTracked: (url: string) => string, keep: (url: string) => boolean): string {
  return html.replace(/(<a\b[^>]*?\bhref=)(["'])(https?:\/\/[^"']+)\2/gi, (whole, start: string, quote: string, href: string) => {
    const url = unescapeAttribute(href);
    if (keep(url)) return whole;
    return `${start}${quote}${escapeAttribute(toTracked(url))}${quote}`;
  });
}

/** A 1×1 image at the end of the body: mail clients that load images report the open. */
export function withOpenPixel(html: string, pixelUrl: string): string {
  const pixel = `<img src="${escapeAttribute(pixelUrl)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;">`;
  const end = html.search(/<\/body>/i);
  return end < 0 ? `${html}${pixel}` : `${html.slice(0, end)}${pixel}\n${html.slice(end)}`;
}

function unescapeAttribute(value: string): string {
  return value
    .replace(/&quot;|&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
