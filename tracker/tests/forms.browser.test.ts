import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PopinMessage } from '../../engine/protocol/index.js';
import { SNIPPET_STUB_CSP_HASH } from '../src/snippet.js';
import { openStage, serveShopPage, until, visitorOf } from '../test-support/index.js';
import type { ShopPage, TrackerStage } from '../test-support/index.js';

const SCREENSHOTS = 'test-results/screenshots';
const XSS = '<img src=x onerror="window.pwned=1">';
const WORDING = 'Email me offers from Shop. I can unsubscribe at any time.';

let stage: TrackerStage;
beforeAll(async () => {
  stage = await openStage();
  await mkdir(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await stage?.close();
});

type Popin = Omit<PopinMessage, 'k'>;

const emailCapture = (id: string, overrides: Partial<Popin> = {}): Popin => ({
  id,
  s: 'newsletter',
  tpl: 'modal',
  title: 'Get 10% off your first order',
  body: 'Join the list: one email a week, no more.',
  form: { kind: 'email', label: 'Email', consent: WORDING, submit: 'Send me the code', thanks: 'Thanks! Check your inbox.' },
  ...overrides,
});

const survey = (id: string, overrides: Partial<Popin> = {}): Popin => ({
  id,
  s: 'fit-survey',
  tpl: 'toast',
  title: 'A quick question',
  body: '',
  form: { kind: 'survey', trait: 'fit', question: 'How do our shoes usually fit you?', options: ['Small', 'True to size', 'Large'] },
  ...overrides,
});

async function shopper(path: string, page: ShopPage = {}, prepare?: (page: Page) => void): Promise<{ page: Page; visitor: string }> {
  const browserPage = await stage.newPage({ viewport: { width: 360, height: 640 } });
  prepare?.(browserPage);
  await browserPage.goto(serveShopPage(stage.harness, path, page));
  let visitor: string | null = null;
  await until('the visitor is connected', async () => (visitor = await visitorOf(browserPage)) !== null && stage.harness.isConnected(visitor));
  return { page: browserPage, visitor: visitor! };
}

function received(visitor: string, type: string): Array<Record<string, unknown> | undefined> {
  return stage.harness.eventsOf(visitor, type).map((event) => event.p);
}

/** What has the focus: an element inside the pop-in (its role, else its text or type), or the page's element id. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = document.activeElement;
    const inner = active?.shadowRoot?.activeElement as HTMLInputElement | null | undefined;
    if (!inner) return `page:${active?.id}`;
    return `popin:${inner.getAttribute('role') ?? inner.getAttribute('aria-label') ?? (inner.tagName === 'INPUT' ? inner.type : inner.textContent)}`;
  });
}

async function marker(page: Page, visitor: string): Promise<void> {
  await page.evaluate(() => (window as unknown as { tw: (command: string, name: string) => void }).tw('track', 'marker'));
  await until('the marker arrived', () => received(visitor, 'track').length === 1);
}

describe('email capture', () => {
  test('is labelled, keyboard-reachable in order, and its consent box starts unticked', async () => {
    const { page, visitor } = await shopper('/form-a11y');
    await page.focus('#buy');
    stage.harness.pushPopin(visitor, emailCapture('trg-a11y'));
    const email = page.getByRole('textbox', { name: 'Email' });
    await email.waitFor({ state: 'visible' });
    const consent = page.getByRole('checkbox', { name: WORDING });
    expect(await consent.isChecked()).toBe(false);
    await page.screenshot({ path: `${SCREENSHOTS}/popin-form-email.png`, animations: 'disabled' });
    const order: string[] = [await focused(page)];
    for (let n = 0; n < 5; n++) {
      await page.keyboard.press('Tab');
      order.push(await focused(page));
    }
    expect(order).toEqual(['popin:dialog', 'popin:email', 'popin:checkbox', 'popin:Send me the code', 'popin:Close', 'popin:email']);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await focused(page)).toBe('page:buy');
    await until('popin_dismissed is reported', () => received(visitor, 'popin_dismissed').length === 1);
  });

  test('an invalid address is refused with an announced message, and nothing is sent', async () => {
    const { page, visitor } = await shopper('/form-invalid');
    stage.harness.pushPopin(visitor, emailCapture('trg-invalid'));
    const email = page.getByRole('textbox', { name: 'Email' });
    await email.fill('not-an-address');
    await page.getByRole('button', { name: 'Send me the code' }).click();
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    const announced = await page.evaluate(() => {
      const live = document.querySelector('tw-popin')!.shadowRoot!.querySelector('[aria-live]')!;
      return { text: live.textContent, describes: live.id === document.querySelector('tw-popin')!.shadowRoot!.querySelector('#e')!.getAttribute('aria-describedby') };
    });
    expect(announced.text).not.toBe('');
    expect(announced.describes).toBe(true);
    expect(await focused(page)).toBe('popin:email');
    await marker(page, visitor);
    expect(received(visitor, 'identify')).toEqual([]);
  });

  test('with the box ticked, the address becomes an identify and the opt-in a consent with its wording and page', async () => {
    const { page, visitor } = await shopper('/form-opt-in');
    stage.harness.pushPopin(visitor, emailCapture('trg-opt-in'));
    await page.getByRole('textbox', { name: 'Email' }).fill('  ada@example.com ');
    await page.getByRole('checkbox', { name: WORDING }).check();
    await page.keyboard.press('Enter');
    const thanks = page.getByRole('status');
    await thanks.waitFor({ state: 'visible' });
    expect(await thanks.textContent()).toBe('Thanks! Check your inbox.');
    expect(await focused(page)).toBe('popin:status');
    await until('identify, consent and popin_clicked arrived', () => received(visitor, 'popin_clicked').length === 1 && received(visitor, 'consent').length === 1);
    expect(received(visitor, 'identify')).toEqual([{ email: 'ada@example.com' }]);
    expect(received(visitor, 'consent')).toEqual([{ email: true, wording: WORDING, page: stage.harness.siteOrigin + '/form-opt-in' }]);
    const consent = stage.harness.eventsOf(visitor, 'consent')[0]!;
    expect(Math.abs(consent.ts - Date.now())).toBeLessThan(60_000);

    await page.getByRole('button', { name: 'Close' }).click();
    await marker(page, visitor);
    expect(received(visitor, 'popin_dismissed')).toEqual([]);
  });

  test('with the box left unticked, only the identify is sent, and without a thank-you the pop-in closes', async () => {
    const { page, visitor } = await shopper('/form-no-opt-in');
    const popin = emailCapture('trg-no-opt-in');
    stage.harness.pushPopin(visitor, { ...popin, form: { kind: 'email', label: 'Email', consent: WORDING, submit: 'Send' } });
    await page.getByRole('textbox', { name: 'Email' }).fill('bob@example.com');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await until('popin_clicked arrived', () => received(visitor, 'popin_clicked').length === 1);
    await marker(page, visitor);
    expect(received(visitor, 'identify')).toEqual([{ email: 'bob@example.com' }]);
    expect(received(visitor, 'consent')).toEqual([]);
  });

  test('server strings in the form stay inert text, under a strict CSP', async () => {
    const engine = stage.harness.engineOrigin;
    const policy = `default-src 'none'; script-src ${SNIPPET_STUB_CSP_HASH} ${engine}; connect-src ${engine} ${engine.replace('http', 'ws')}; style-src 'none'`;
    const violations: string[] = [];
    const { page, visitor } = await shopper('/form-xss', { headers: { 'Content-Security-Policy': policy } }, (page) =>
      page.on('console', (message) => message.text().includes('Content Security Policy') && violations.push(message.text())),
    );
    stage.harness.pushPopin(visitor, emailCapture('trg-xss', { form: { kind: 'email', label: XSS, consent: XSS, submit: XSS } }));
    const box = page.getByRole('checkbox', { name: XSS });
    await box.waitFor({ state: 'visible' });
    expect(await page.evaluate(() => document.querySelector('tw-popin')!.shadowRoot!.querySelectorAll('img').length)).toBe(0);
    expect(await page.getByRole('textbox', { name: XSS }).evaluate((node) => getComputedStyle(node).borderTopStyle)).toBe('solid');
    await expect.poll(() => page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    expect(violations).toEqual([]);
  });
});

describe('one-question survey', () => {
  test('the question is the legend of its answers, and the chosen answer becomes a visitor trait', async () => {
    const { page, visitor } = await shopper('/survey');
    stage.harness.pushPopin(visitor, survey('trg-survey'));
    const group = page.getByRole('group', { name: 'How do our shoes usually fit you?' });
    await group.waitFor({ state: 'visible' });
    expect(await group.getByRole('button').allTextContents()).toEqual(['Small', 'True to size', 'Large']);
    await page.screenshot({ path: `${SCREENSHOTS}/popin-form-survey.png`, animations: 'disabled' });
    await group.getByRole('button', { name: 'True to size' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await until('the trait and popin_clicked arrived', () => received(visitor, 'identify').length === 1 && received(visitor, 'popin_clicked').length === 1);
    expect(received(visitor, 'identify')).toEqual([{ traits: { fit: 'True to size' } }]);
  });

  test('tw-form.js is fetched with the first form pop-in only', async () => {
    const scripts: string[] = [];
    const { page, visitor } = await shopper('/survey-lazy', {}, (page) =>
      page.on('request', (request) => request.resourceType() === 'script' && scripts.push(new URL(request.url()).pathname)),
    );
    stage.harness.pushPopin(visitor, { ...survey('trg-plain'), form: undefined });
    await page.getByRole('dialog').waitFor({ state: 'visible' });
    expect(scripts).toEqual(['/tw.js', '/tw-ui.js']);
    stage.harness.pushPopin(visitor, survey('trg-lazy'));
    await page.getByRole('group').waitFor({ state: 'visible' });
    expect(scripts).toEqual(['/tw.js', '/tw-ui.js', '/tw-form.js']);
  });
});
