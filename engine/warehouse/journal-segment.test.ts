import { describe, expect, test } from 'vitest';
import { JOURNAL_HEADER, UnreadableSegment, journalLine, readSegment } from './journal-segment.js';
import type { DeliveryRow, EventRow } from './rows.js';

const event: EventRow = {
  site: 'demo',
  visitor_id: 'v1',
  session_id: 's1',
  event_id: 'e1',
  type: 'search',
  time: 1_767_225_600_123,
  received_at: 1_767_225_600_200,
  url: 'https://shop.example/?q=a\nb',
  product_id: '',
  category: '',
  search_query: 'tab\there, quote " and emoji 😀',
  value: 0,
  props: '{"note":"line\\nbreak"}',
};
const delivery: DeliveryRow = { delivery_id: 'd1', trigger_id: 't1', site: 'demo', visitor_id: 'v1', scenario_id: 's', channel: 'popin', status: 'shown', detail: '', time: 1 };

describe('journal segments', () => {
  test('rows read back per table, in the order written, with every character of their strings', () => {
    const text = JOURNAL_HEADER + journalLine('events', event) + journalLine('deliveries', delivery) + journalLine('events', { ...event, event_id: 'e2' });
    const { rows, tornBytes } = readSegment(text);
    expect(rows.events).toEqual([event, { ...event, event_id: 'e2' }]);
    expect(rows.deliveries).toEqual([delivery]);
    expect(rows.triggers).toEqual([]);
    expect(tornBytes).toBe(0);
  });

  test('a row holding newlines and tabs stays on one line', () => {
    expect(journalLine('events', event).indexOf('\n')).toBe(journalLine('events', event).length - 1);
  });

  test('a last line without its newline is a torn write: dropped and measured', () => {
    const whole = JOURNAL_HEADER + journalLine('events', event);
    const torn = journalLine('events', { ...event, event_id: 'e2' }).slice(0, 30);
    const { rows, tornBytes } = readSegment(whole + torn);
    expect(rows.events).toEqual([event]);
    expect(tornBytes).toBe(30);
  });

  test('a segment cut short inside its header holds no rows', () => {
    expect(readSegment(JOURNAL_HEADER.slice(0, 7))).toMatchObject({ rows: { events: [] }, tornBytes: 7 });
    expect(readSegment('')).toMatchObject({ rows: { events: [] }, tornBytes: 0 });
  });

  test('a complete line that does not parse makes the segment unreadable', () => {
    const text = `${JOURNAL_HEADER}events\t{"site":\n${journalLine('events', event)}`;
    expect(() => readSegment(text)).toThrow(UnreadableSegment);
    expect(() => readSegment(text)).toThrow(/line 2/);
  });

  test('a line naming no warehouse table makes the segment unreadable', () => {
    expect(() => readSegment(`${JOURNAL_HEADER}visits\t{}\n`)).toThrow(/names no warehouse table/);
  });

  test('a file without the journal header is not a segment', () => {
    expect(() => readSegment(journalLine('events', event))).toThrow(/header/);
    expect(() => readSegment('something else')).toThrow(/header/);
  });
});
