import { describe, expect, test } from 'vitest';
import { parseFeedText } from './feed-file.js';

describe('parseFeedText', () => {
  test('reads a CSV with quoted fields, numbers for prices and quantities for stock; an empty cell sets nothing', () => {
    const csv = 'id,name,price,stock,url\r\nmug,"Mug, large ""XL""",24.5,0,/p/mug\nkettle,,60,in_stock,\n';
    expect(parseFeedText(csv, '.csv')).toEqual([
      { id: 'mug', name: 'Mug, large "XL"', price: 24.5, stock: 'out_of_stock', url: '/p/mug' },
      { id: 'kettle', price: 60, stock: 'in_stock' },
    ]);
  });

  test('names the CSV line of a bad row', () => {
    expect(() => parseFeedText('id,price\nmug,12\n\npot,cheap\n', '.csv')).toThrow(/line 4 \(id "pot"\): price/);
  });

  test('refuses a CSV column it does not know', () => {
    expect(() => parseFeedText('id,prce\nmug,12\n', '.csv')).toThrow(/unknown: prce/);
  });

  test('reads NDJSON and names the line of a bad row', () => {
    expect(parseFeedText('{"id":"mug","price":3}\n\n{"id":"pot","stock":true}\n', '.ndjson')).toEqual([
      { id: 'mug', price: 3 },
      { id: 'pot', stock: 'in_stock' },
    ]);
    expect(() => parseFeedText('{"id":"mug"}\n{"id":"pot","url":"javascript:alert(1)"}', '.ndjson')).toThrow(/line 2 \(id "pot"\): url/);
  });

  test('refuses a url or image path that a browser would resolve to another host', () => {
    expect(() => parseFeedText('{"id":"pot","url":"/\\\\evil.com/p"}', '.ndjson')).toThrow(/line 1 \(id "pot"\): url/);
    expect(() => parseFeedText('{"id":"pot","image":"//evil.com/i.png"}', '.ndjson')).toThrow(/line 1 \(id "pot"\): image/);
    expect(parseFeedText('{"id":"pot","url":"/p/pot","image":"https://cdn.example/pot.png"}', '.ndjson')).toEqual([
      { id: 'pot', url: '/p/pot', image: 'https://cdn.example/pot.png' },
    ]);
  });

  test('reads a JSON array, and the demo catalogue shape with its extra fields left out', () => {
    expect(parseFeedText('[{"id":"mug","price":3}]', '.json')).toEqual([{ id: 'mug', price: 3 }]);
    const demo = { categories: [], products: [{ id: 'mug', name: 'Mug', price: 3, description: 'd', color: '#000000', stock: 'in_stock' }] };
    expect(parseFeedText(JSON.stringify(demo), '.json')).toEqual([{ id: 'mug', name: 'Mug', price: 3, stock: 'in_stock' }]);
  });

  test('refuses a field the feed does not know in a JSON array', () => {
    expect(() => parseFeedText('[{"id":"mug","prce":3}]', '.json')).toThrow(/products\[0\] \(id "mug"\)/);
  });
});
