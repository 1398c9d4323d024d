export { DemoShop } from './demo-shop.js';
export type { DemoShopOptions } from './demo-shop.js';
export type { ShopRequest, ShopResponse } from './shop-response.js';
export { loadCatalogue, parseCatalogue } from './catalogue.js';
export type { Catalogue, CatalogueOptions, Category, Product, StockStatus } from './catalogue.js';
export { identityHmac } from './login.js';
