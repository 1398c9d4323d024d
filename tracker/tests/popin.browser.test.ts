import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PopinMessage } from '../../engine/protocol/index.js';
import { SNIPPET_STUB_CSP_HASH } from '../src/snippet.js';
import { openStage, serveShopPage, until, visitorOf } from '../test-support/index.js';
import type { ShopPage, TrackerStage } from '../test-support/index.js';

const SCREENSHOTS = 'test-results/screenshots';
const XSS = '<img src=x onerror="window.pwned=1">';

let stage: TrackerStage;
beforeAll(async () => {
  stage = await openStage();
  await mkdir(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await stage?.close();
});

type Popin = Omit<PopinMessage, 'k'>;

function popin(id: string, overrides: Partial<Popin> = {}): Popin {
  return {
    id,
    s: 'cart-abandon',
    tpl: 'toast',
    title: 'Still thinking it over?',
    body: 'Your cart is waiting: free delivery ends tonight.',
    cta: { label: 'Back to my cart', url: '/cart' },
    ...overrides,
  };
}

/** Opens a shop page at a phone's width and returns it with its (connected) visitor id. */
async function shopper(path: string, page: ShopPage = {}, prepare?: (page: Page) => void): Promise<{ page: Page; visitor: string }> {
  const browserPage = await stage.newPage({ viewport: { width: 360, height: 640 } });
  prepare?.(browserPage);
  await browserPage.goto(serveShopPage(stage.harness, path, page));
  let visitor: string | null = null;
  await until('the visitor is connected', async () => (visitor = await visitorOf(browserPage)) !== null && stage.harness.isConnected(visitor));
  return { page: browserPage, visitor: visitor! };
}

function reported(visitor: string, type: string): Array<Record<string, unknown> | undefined> {
  return stage.harness.eventsOf(visitor, type).map((event) => event.p);
}

async function fitsViewport(page: Page): Promise<void> {
  const box = await page.locator('tw-popin [role=dialog]').boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(360);
}

describe('pop-ins', () => {
  test('a toast renders inside a shadow root, visible, and reports popin_shown', async () => {
    const { page, visitor } = await shopper('/toast');
    stage.harness.pushPopin(visitor, popin('trg-toast', { image: '/shoe.png' }));
    const dialog = page.getByRole('dialog', { name: 'Still thinking it over?' });
    await dialog.waitFor({ state: 'visible' });
    expect(await page.evaluate(() => !!document.querySelector('tw-popin')?.shadowRoot && !document.querySelector('h2'))).toBe(true);
    await fitsViewport(page);
    await until('popin_shown is reported', () => reported(visitor, 'popin_shown').length === 1);
    expect(reported(visitor, 'popin_shown')[0]).toEqual({ trigger: 'trg-toast', scenario: 'cart-abandon' });
    await page.screenshot({ path: `${SCREENSHOTS}/popin-toast.png`, animations: 'disabled' });
  });

  test('a bar CTA is a link to the URL, and clicking it reports popin_clicked', async () => {
    const { page, visitor } = await shopper('/bar');
    stage.harness.pushPopin(visitor, popin('trg-bar', { tpl: 'bar', title: 'Free delivery today', body: 'On every order over 30 EUR.' }));
    const cta = page.getByRole('link', { name: 'Back to my cart' });
    await cta.waitFor({ state: 'visible' });
    await fitsViewport(page);
    await page.screenshot({ path: `${SCREENSHOTS}/popin-bar.png`, animations: 'disabled' });
    expect(await cta.getAttribute('href')).toBe(stage.harness.siteOrigin + '/cart');
    await cta.click();
    await page.waitForURL(stage.harness.siteOrigin + '/cart');
    await until('popin_clicked is reported', () => reported(visitor, 'popin_clicked').length === 1);
    expect(reported(visitor, 'popin_clicked')[0]).toEqual({ trigger: 'trg-bar', scenario: 'cart-abandon' });
  });

  test('a modal takes the focus, keeps Tab inside, closes on Escape and gives the focus back', async () => {
    const { page, visitor } = await shopper('/modal');
    await page.focus('#buy');
    stage.harness.pushPopin(visitor, popin('trg-modal', { tpl: 'modal' }));
    const dialog = page.getByRole('dialog');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    await fitsViewport(page);
    await page.screenshot({ path: `${SCREENSHOTS}/popin-modal.png`, animations: 'disabled' });
    const focused = (): Promise<string> =>
      page.evaluate(() => {
        const active = document.activeElement;
        const inner = active?.shadowRoot?.activeElement;
        return inner ? `popin:${inner.getAttribute('role') ?? inner.textContent}` : `page:${active?.id}`;
      });
    expect(await focused()).toBe('popin:dialog');
    for (let n = 0; n < 4; n++) {
      await page.keyboard.press('Tab');
      expect(await focused()).toMatch(/^popin:/);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await focused()).toBe('page:buy');
    await until('popin_dismissed is reported', () => reported(visitor, 'popin_dismissed').length === 1);
  });

  test('Escape closes the newest pop-in on screen, also one shown after all others were closed', async () => {
    const { page, visitor } = await shopper('/escape');
    stage.harness.pushPopin(visitor, popin('trg-first', { title: 'First offer' }));
    await page.getByRole('dialog', { name: 'First offer' }).waitFor({ state: 'visible' });
    stage.harness.pushPopin(visitor, popin('trg-second', { title: 'Second offer' }));
    await page.getByRole('dialog', { name: 'Second offer' }).waitFor({ state: 'visible' });

    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Second offer' }).waitFor({ state: 'detached' });
    expect(await page.getByRole('dialog', { name: 'First offer' }).isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'First offer' }).waitFor({ state: 'detached' });
    // With none on screen, Escape is the page's own.
    await page.keyboard.press('Escape');

    stage.harness.pushPopin(visitor, popin('trg-third', { title: 'Third offer' }));
    await page.getByRole('dialog', { name: 'Third offer' }).waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Third offer' }).waitFor({ state: 'detached' });
    await until('three popin_dismissed are reported', () => reported(visitor, 'popin_dismissed').length === 3);
    expect(reported(visitor, 'popin_dismissed').map((props) => props?.trigger)).toEqual(['trg-second', 'trg-first', 'trg-third']);
  });

  test("a modal's CTA is a working link: clicking it navigates and reports popin_clicked", async () => {
    const { page, visitor } = await shopper('/modal-cta');
    stage.harness.pushPopin(visitor, popin('trg-modal-cta', { tpl: 'modal' }));
    await page.getByRole('link', { name: 'Back to my cart' }).click();
    await page.waitForURL(stage.harness.siteOrigin + '/cart');
    await until('popin_clicked is reported', () => reported(visitor, 'popin_clicked').length === 1);
  });

  test('server strings render as inert text and unsafe URLs are left out', async () => {
    const { page, visitor } = await shopper('/xss');
    stage.harness.pushPopin(
      visitor,
      popin('trg-xss', { title: XSS, body: XSS, image: 'data:image/svg+xml,<svg onload=alert(1)>', cta: { label: 'Go', url: 'javascript:window.pwned=2' } }),
    );
    const dialog = page.getByRole('dialog');
    await dialog.waitFor({ state: 'visible' });
    const inside = await page.evaluate(() => {
      const root = document.querySelector('tw-popin')!.shadowRoot!;
      return { title: root.querySelector('h2')!.textContent, images: root.querySelectorAll('img').length, links: root.querySelectorAll('a').length };
    });
    expect(inside).toEqual({ title: XSS, images: 0, links: 0 });
    await expect.poll(() => page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
  });

  test("the site's CSS does not hide or restyle the pop-in", async () => {
    const hostile =
      '<style>body *{display:none!important;visibility:hidden!important;opacity:0!important}' +
      'body{color:red;font-size:40px;text-transform:uppercase;letter-spacing:4px}</style>';
    const { page, visitor } = await shopper('/hostile-css', { head: hostile });
    stage.harness.pushPopin(visitor, popin('trg-css'));
    const title = page.getByRole('heading', { name: 'Still thinking it over?' });
    await title.waitFor({ state: 'visible' });
    const style = await title.evaluate((node) => {
      const computed = getComputedStyle(node);
      return { color: computed.color, transform: computed.textTransform, spacing: computed.letterSpacing };
    });
    expect(style).toEqual({ color: 'rgb(17, 17, 17)', transform: 'none', spacing: 'normal' });
  });

  test("a strict Content-Security-Policy (no 'unsafe-inline') lets the snippet, the tracker and the pop-in styles work", async () => {
    const engine = stage.harness.engineOrigin;
    const policy =
      `default-src 'none'; script-src ${SNIPPET_STUB_CSP_HASH} ${engine}; ` +
      `connect-src ${engine} ${engine.replace('http', 'ws')}; img-src ${engine}; style-src 'none'`;
    const violations: string[] = [];
    const { page, visitor } = await shopper('/csp', { headers: { 'Content-Security-Policy': policy } }, (page) =>
      page.on('console', (message) => message.text().includes('Content Security Policy') && violations.push(message.text())),
    );
    stage.harness.pushPopin(visitor, popin('trg-csp'));
    const dialog = page.getByRole('dialog');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.evaluate((node) => getComputedStyle(node.parentElement!).position)).toBe('fixed');
    expect(violations).toEqual([]);
  });
});
