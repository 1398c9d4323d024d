import { describe, expect, test } from 'vitest';
import type { ScheduleTrigger } from '../model.js';
import { scheduleOccurrence } from './schedule-occurrence.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

function schedule(overrides: Partial<ScheduleTrigger> = {}): ScheduleTrigger {
  return {
    kind: 'schedule',
    every: 7 * DAY,
    at: 10 * 60,
    timezone: 'Europe/Paris',
    starting: '2024-01-01',
    audience: { query: 'audience-category-viewers', params: { category: 'coffee' } },
    ...overrides,
  };
}

const at = (iso: string) => Date.parse(iso);

describe('the current occurrence of a schedule', () => {
  test('is the send time itself from the very moment it comes', () => {
    expect(scheduleOccurrence(schedule(), at('2026-03-23T09:00:00Z'))).toBe(at('2026-03-23T09:00:00Z'));
  });

  test('is the previous period\'s send until then', () => {
    expect(scheduleOccurrence(schedule(), at('2026-03-23T08:59:59.999Z'))).toBe(at('2026-03-16T09:00:00Z'));
  });

  test('stays the same for the whole period', () => {
    expect(scheduleOccurrence(schedule(), at('2026-03-27T18:00:00Z'))).toBe(at('2026-03-23T09:00:00Z'));
    expect(scheduleOccurrence(schedule(), at('2026-03-30T07:59:59Z'))).toBe(at('2026-03-23T09:00:00Z'));
  });

  test('falls on the weekday of the starting day', () => {
    const occurrence = scheduleOccurrence(schedule({ starting: '2024-01-04' }), at('2026-03-25T12:00:00Z'))!;
    expect(new Date(occurrence).toISOString()).toBe('2026-03-19T09:00:00.000Z');
    expect(new Date(occurrence).getUTCDay()).toBe(4);
  });

  test('keeps 10:00 local when summer time starts: the period is an hour shorter', () => {
    expect(scheduleOccurrence(schedule(), at('2026-03-31T00:00:00Z'))).toBe(at('2026-03-30T08:00:00Z'));
    expect(at('2026-03-30T08:00:00Z') - at('2026-03-23T09:00:00Z')).toBe(7 * DAY - HOUR);
  });

  test('keeps 10:00 local when summer time ends: the period is an hour longer', () => {
    expect(scheduleOccurrence(schedule(), at('2026-10-26T08:30:00Z'))).toBe(at('2026-10-19T08:00:00Z'));
    expect(scheduleOccurrence(schedule(), at('2026-10-26T09:00:00Z'))).toBe(at('2026-10-26T09:00:00Z'));
  });

  test('counts days in the schedule\'s zone, not in UTC', () => {
    const nightly = schedule({ every: DAY, at: 23 * 60, timezone: 'America/Los_Angeles' });
    // 23:30 on 23 March in Los Angeles is already the 24th in UTC.
    expect(scheduleOccurrence(nightly, at('2026-03-24T06:30:00Z'))).toBe(at('2026-03-24T06:00:00Z'));
    expect(scheduleOccurrence(nightly, at('2026-03-24T05:59:00Z'))).toBe(at('2026-03-23T06:00:00Z'));
  });

  test('sends every other week with every: 14d', () => {
    const fortnightly = schedule({ every: 14 * DAY, timezone: 'UTC', starting: '2026-03-02' });
    expect(scheduleOccurrence(fortnightly, at('2026-03-24T12:00:00Z'))).toBe(at('2026-03-16T10:00:00Z'));
    expect(scheduleOccurrence(fortnightly, at('2026-03-30T10:00:00Z'))).toBe(at('2026-03-30T10:00:00Z'));
  });

  test('honours the minutes of the time of day', () => {
    const daily = schedule({ every: DAY, at: 8 * 60 + 45, timezone: 'UTC' });
    expect(scheduleOccurrence(daily, at('2026-03-24T08:44:59Z'))).toBe(at('2026-03-23T08:45:00Z'));
    expect(scheduleOccurrence(daily, at('2026-03-24T08:45:00Z'))).toBe(at('2026-03-24T08:45:00Z'));
  });

  test('has none before the first send', () => {
    const later = schedule({ starting: '2026-04-06' });
    expect(scheduleOccurrence(later, at('2026-04-01T00:00:00Z'))).toBeUndefined();
    expect(scheduleOccurrence(later, at('2026-04-06T07:59:59Z'))).toBeUndefined();
    expect(scheduleOccurrence(later, at('2026-04-06T08:00:00Z'))).toBe(at('2026-04-06T08:00:00Z'));
  });
});
