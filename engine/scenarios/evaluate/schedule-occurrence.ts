import type { ScheduleTrigger } from '../model.js';
import { offsetOf, zonedTime } from './next-date.js';

const DAY_MS = 86_400_000;

/**
 * The schedule's current occurrence: the latest send time not after `now`, or undefined before
 * the first one. Sends fall on local days (every `every` from `starting`) at local time `at`, so
 * "every Monday at 10:00 in Paris" stays 10:00 across daylight-saving changes.
 */
export function scheduleOccurrence(schedule: ScheduleTrigger, now: number): number | undefined {
  const period = Math.round(schedule.every / DAY_MS);
  const first = dayNumber(schedule.starting);
  const today = Math.floor((now + offsetOf(now, schedule.timezone)) / DAY_MS);
  let day = first + Math.floor((today - first) / period) * period;
  for (; day >= first; day -= period) {
    const at = sendTime(day, schedule);
    if (at <= now) return at;
  }
  return undefined;
}

/** Days since 1970-01-01 of a YYYY-MM-DD date. */
function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

function sendTime(day: number, schedule: ScheduleTrigger): number {
  const date = new Date(day * DAY_MS);
  return zonedTime(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), Math.floor(schedule.at / 60), schedule.timezone, schedule.at % 60);
}
