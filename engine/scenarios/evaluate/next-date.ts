/**
 * The next moment, strictly after `after`, when the local date in `timeZone` is the month and day
 * of `date` (YYYY-MM-DD or MM-DD) and the local hour is `hour`. Feb 29 falls on Feb 28 in other
 * years. Undefined for a date that is not one.
 */
export function nextAnniversary(date: string, hour: number, timeZone: string, after: number): number | undefined {
  const match = /^(?:\d{4}-)?(\d{2})-(\d{2})$/.exec(date.trim());
  if (match === null) return undefined;
  const month = Number(match[1]);
  const day = Number(match[2]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const startYear = new Date(after).getUTCFullYear();
  for (let year = startYear; year <= startYear + 1; year++) {
    const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (day > lastDay && !(month === 2 && day === 29)) return undefined;
    const at = zonedTime(year, month, Math.min(day, lastDay), hour, timeZone);
    if (at > after) return at;
  }
  return undefined;
}

/** Epoch ms of a local wall-clock time in an IANA zone (two passes settle DST offsets). */
export function zonedTime(year: number, month: number, day: number, hour: number, timeZone: string, minute = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wall;
  for (let pass = 0; pass < 2; pass++) guess = wall - offsetOf(guess, timeZone);
  return guess;
}

export function offsetOf(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((part) => part.type === type)!.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return local - Math.floor(at / 1000) * 1000;
}
