/**
 * The absolute URL when it is http: or https: (a relative URL resolves against the page), else null.
 * javascript:, data: and every other scheme never reach an href or src: a scenario author's typo
 * or a compromised template must not become script on the site.
 */
export function safeUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    // Not parseable as a URL at all: treated like an unsafe scheme, the link or image is left out.
    return null;
  }
}
