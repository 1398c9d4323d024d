/**
 * Storage that never throws into the site's page: sandboxed iframes and some privacy modes deny
 * localStorage/sessionStorage, and a full quota rejects writes. When localStorage is denied, a
 * first-party cookie keeps the value, and when cookies are denied too, this page's memory does.
 */
const memory: Record<string, string | null> = {};

function area(session: boolean): Storage {
  return session ? sessionStorage : localStorage;
}

/** Reads `key` from localStorage, or sessionStorage when `session` is set. */
export function recall(key: string, session = false): string | null {
  try {
    return area(session).getItem(key);
  } catch {
    return denied(key, session);
  }
}

/** Writes (or, with null, removes) `key`. */
export function remember(key: string, value: string | null, session = false): void {
  try {
    if (value === null) area(session).removeItem(key);
    else area(session).setItem(key, value);
  } catch {
    denied(key, session, value);
  }
}

function denied(key: string, session: boolean, value?: string | null): string | null {
  if (value !== undefined) memory[key] = value;
  return (!session && cookie(key, value)) || memory[key] || null;
}

/**
 * Reads a first-party cookie of this site, after writing it when `value` is given (null or ''
 * deletes it); null when absent or when the document denies cookies (sandboxed).
 */
export function cookie(key: string, value?: string | null): string | null {
  try {
    if (value !== undefined) document.cookie = key + '=' + (value || '') + ';path=/;samesite=lax;max-age=' + (value ? 31536000 : 0);
    const found = document.cookie.match('(?:^|; )' + key + '=([^;]*)');
    return found && found[1]!;
  } catch {
    // A sandboxed document denies cookies too: the caller falls back to the page's memory.
    return null;
  }
}
