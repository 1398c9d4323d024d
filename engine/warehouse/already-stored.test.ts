import { describe, expect, test } from 'vitest';
import { rowsNotYetStored } from './already-stored.js';
import type { EventRow } from './rows.js';

function event(id: string): EventRow {
  return {
    site: 'shop', visitor_id: 'v', session_id: 's', event_id: id, type: 'page', time: 1_741_944_413_589, received_at: 1_741_944_413_589,
    url: '', product_id: '', category: '', search_query: '', value: 0, props: '{}',
  };
}

/** The lookups a replay of `rows` sends, answered with no stored row. */
async function lookups(rows: EventRow[]): Promise<string[]> {
  const sent: string[] = [];
  await rowsNotYetStored(async <Row,>(sql: string) => {
    sent.push(sql);
    return [] as Row[];
  }, 'events', rows);
  return sent;
}

describe('rowsNotYetStored', () => {
  test('lists the ids as they are while their escaped list fits in 48 KiB', async () => {
    // 1000 ids of 45 bytes: 47 bytes each as literals with their separator, 47 000 bytes in all.
    const [lookup] = await lookups(Array.from({ length: 1000 }, (_, i) => event(`${String(i).padStart(4, '0')}${'x'.repeat(41)}`)));
    expect(lookup).toContain("event_id IN ('0000");
    expect(lookup).not.toContain('MD5');
  });

  test('names the ids by their MD5 once their escaped list would take over 48 KiB', async () => {
    // Each quote escapes to two bytes: 1000 ids of 30 quotes outgrow the list.
    const [lookup] = await lookups(Array.from({ length: 1000 }, (_, i) => event(`${i}${"'".repeat(30)}`)));
    expect(lookup).toContain('hex(MD5(event_id)) IN (');
    expect(lookup!.length).toBeLessThan(40_000);
  });
});
