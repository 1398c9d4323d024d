/**
 * A percent-encoded piece of a request (a path segment, a cookie value) decoded, or undefined when
 * an escape is malformed (`%` without two hex digits, or bytes that are not UTF-8): the caller
 * answers that as bad input of its own kind, where decodeURIComponent's URIError would surface as a 500.
 */
export function percentDecoded(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch (error) {
    if (error instanceof URIError) return undefined;
    throw error;
  }
}
