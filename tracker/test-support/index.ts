export { TrackerHarness, until } from './harness.js';
export type { Channel, Delivery, HarnessOptions } from './harness.js';
export { launchChromium, serveShopPage, visitorOf, unacked } from './browser.js';
export type { ChromiumOptions, ShopPage } from './browser.js';
export { openStage } from './stage.js';
export type { TrackerStage } from './stage.js';
export { SiteProxy } from './site-proxy.js';
export type { SiteProxyOptions } from './site-proxy.js';
