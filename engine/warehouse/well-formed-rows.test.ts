import { describe, expect, test } from 'vitest';
import type { EventRow } from './rows.js';
import { wellFormedRow } from './well-formed-rows.js';

const row: EventRow = {
  site: 'shop',
  visitor_id: 'v1',
  session_id: 's1',
  event_id: 'e1',
  type: 'search',
  time: 0,
  received_at: 0,
  url: '',
  product_id: '',
  category: '',
  search_query: 'mug',
  value: 0,
  props: '{}',
};

describe('well-formed rows', () => {
  test('a lone surrogate, high or low, becomes U+FFFD; a surrogate pair stays', () => {
    const fixed = wellFormedRow<'events'>({ ...row, search_query: 'a\ud800b\udc00c\ud83d\ude00', category: '\ud800' });
    expect(fixed.search_query).toBe('a\ufffdb\ufffdc\ud83d\ude00');
    expect(fixed.category).toBe('\ufffd');
  });

  test('a lone surrogate escaped inside the props JSON, in a value or a key, becomes U+FFFD', () => {
    const props = JSON.stringify({ q: 'mug\ud800', ['k\udc00']: ['x\ud800'], ok: '\ud83d\ude00' });
    const fixed = wellFormedRow<'events'>({ ...row, props });
    expect(JSON.parse(fixed.props)).toEqual({ q: 'mug\ufffd', 'k\ufffd': ['x\ufffd'], ok: '\ud83d\ude00' });
  });

  test('a well-formed row is returned as it is', () => {
    expect(wellFormedRow<'events'>(row)).toBe(row);
  });
});
