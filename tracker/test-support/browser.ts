import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { snippet } from '../src/snippet.js';
import type { SnippetOptions } from '../src/snippet.js';
import type { TrackerHarness } from './harness.js';

export interface ChromiumOptions {
  /**
   * Keeps Chromium's back/forward cache, which Playwright turns off by default, for tests of
   * pages restored from it (pageshow with persisted).
   */
  backForwardCache?: boolean;
}

export function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    ignoreDefaultArgs: options.backForwardCache ? ['--disable-back-forward-cache'] : [],
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface ShopPage {
  /** Inline script run right after the snippet, before tw.js has loaded (calls go to the stub's queue). */
  before?: string;
  head?: string;
  body?: string;
  snippet?: SnippetOptions;
  headers?: Record<string, string>;
}

/** Serves a shop page carrying the exact snippet a site pastes; returns its URL. */
export function serveShopPage(harness: TrackerHarness, path: string, page: ShopPage = {}): string {
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
    '<title>Shop</title>' +
    (page.head ?? '') +
    snippet(harness.engineOrigin + '/tw.js', 'shop', page.snippet) +
    (page.before ? `<script>${page.before}</script>` : '') +
    `</head><body><h1>Shop</h1><button id="buy">Buy</button>${page.body ?? ''}</body></html>`;
  return harness.servePage(path, html, page.headers);
}

/** The visitor id tw.js made for the page (or null before it stored one). */
export function visitorOf(page: Page): Promise<string | null> {
  return page.evaluate(() => localStorage.getItem('tw_v'));
}

/** The events still waiting for an ack, as tw.js keeps them in sessionStorage. */
export function unacked(page: Page): Promise<Array<{ i: string; t: string }>> {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('tw_q') || '[]') as Array<{ i: string; t: string }>);
}
