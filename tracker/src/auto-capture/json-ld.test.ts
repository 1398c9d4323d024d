import { beforeAll, expect, test } from 'vitest';
import { productOf } from './json-ld.js';

beforeAll(() => {
  (globalThis as { TW_DEV?: boolean }).TW_DEV = false;
});

const json = (data: unknown): string => JSON.stringify(data);

test('reads id, name, price, stock, image and category from a Product', () => {
  const product = {
    '@context': 'https://schema.org',
    '@type': 'Product',
    sku: 'TR-42',
    name: 'Trail shoe',
    image: ['https://cdn.example/a.jpg', 'https://cdn.example/b.jpg'],
    category: 'Shoes',
    url: 'https://shop.example/p/tr-42',
    offers: { '@type': 'Offer', price: 89.9, priceCurrency: 'EUR', availability: 'https://schema.org/InStock' },
  };
  expect(productOf(json(product))).toEqual({
    id: 'TR-42',
    name: 'Trail shoe',
    price: 89.9,
    currency: 'EUR',
    stock: 'in_stock',
    image: 'https://cdn.example/a.jpg',
    category: 'Shoes',
    url: 'https://shop.example/p/tr-42',
  });
});

test('finds the Product in an @graph, an array, or a page’s mainEntity', () => {
  const product = { '@type': 'schema:Product', productID: 'P1' };
  expect(productOf(json({ '@graph': [{ '@type': 'WebSite' }, product] }))?.id).toBe('P1');
  expect(productOf(json([{ '@type': 'Organization' }, product]))?.id).toBe('P1');
  expect(productOf(json({ '@type': 'ItemPage', mainEntity: product }))?.id).toBe('P1');
});

test('maps availability to stock, and an AggregateOffer’s lowPrice to price', () => {
  const stock = (availability: string) => productOf(json({ '@type': 'Product', sku: 'S', offers: { availability } }))?.stock;
  expect(stock('http://schema.org/OutOfStock')).toBe('out_of_stock');
  expect(stock('SoldOut')).toBe('out_of_stock');
  expect(stock('https://schema.org/LimitedAvailability')).toBe('in_stock');
  expect(stock('https://schema.org/PreOrder')).toBeUndefined();
  expect(productOf(json({ '@type': 'Product', sku: 'S', offers: { '@type': 'AggregateOffer', lowPrice: '19.5' } }))?.price).toBe(19.5);
});

test('ignores JSON-LD without a Product with an id, and malformed JSON', () => {
  expect(productOf(json({ '@type': 'Organization', name: 'Shop' }))).toBeNull();
  expect(productOf(json({ '@type': 'Product', name: 'no id' }))).toBeNull();
  expect(productOf('{not json')).toBeNull();
});
