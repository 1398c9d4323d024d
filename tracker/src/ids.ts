/** A random base36 id. getRandomValues works on plain-http pages too, unlike randomUUID. */
export function randomId(): string {
  let id = '';
  for (const n of crypto.getRandomValues(new Uint32Array(3))) id += n.toString(36);
  return id;
}

/** Event ids: one random prefix per page load plus a counter, unique per visitor without a lookup. */
export function eventIds(): () => string {
  const prefix = randomId() + '-';
  let count = 0;
  return () => prefix + (++count).toString(36);
}
