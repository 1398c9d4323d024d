import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MemorySuppressionList, type SuppressionList } from '../../engine/mailer/index.js';
import { FileSuppressionList } from '../../engine/mailer/file/index.js';
import { RedisMailerStore } from '../../engine/mailer/redis/index.js';
import type { WarehouseBackend } from '../../engine/warehouse/index.js';
import { attributedOrders, cartAbandoners, categoryViewers, funnelByDay, scenarioKpis, shippedQuery, toCsv } from '../../engine/warehouse/index.js';
import { redisForTests } from '../support/redis-server.js';
import { conversionRow, deliveryRow, eventRow, triggerRow, type WarehouseContractSetup } from './warehouse.contract.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const D = Date.UTC(2025, 2, 10);

/** Nobody unsubscribed: the audiences as the warehouse alone answers them. */
const NONE_SUPPRESSED = new MemorySuppressionList();

/**
 * The suppression lists an export may be checked against: the embedded default's file and Redis.
 * Each opens a list of its own and says how to close it.
 */
const SUPPRESSION_BACKENDS: ReadonlyArray<{ name: string; open(): Promise<{ list: SuppressionList; close(): Promise<void> } | { skip: string }> }> = [
  {
    name: 'file',
    open: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tw-audience-suppressions-'));
      const list = await FileSuppressionList.open(join(dir, 'suppressions.ndjson'));
      return { list, close: async () => { await list.close(); await rm(dir, { recursive: true, force: true }); } };
    },
  },
  {
    name: 'Redis',
    open: async () => {
      const server = await redisForTests();
      if ('skip' in server) return server;
      const store = await RedisMailerStore.connect(server.url, { prefix: `tw-audience-${randomUUID().slice(0, 8)}`, cluster: false });
      return {
        list: store.suppressions,
        close: async () => {
          for (const entry of await store.suppressions.list('suppressed')) await store.suppressions.remove(entry.site, entry.email);
          await store.close();
          await server.stop();
        },
      };
    },
  },
];

function identifyRow(site: string, visitor: string, email: string, time: number, verified = true) {
  return eventRow({ site, visitor_id: visitor, type: 'identify', props: JSON.stringify({ verified, email }), time });
}

/** A consent event as the engine stores it: the answer for email leads the props. */
function consentRow(site: string, visitor: string, granted: boolean, time: number) {
  return eventRow({ site, visitor_id: visitor, type: 'consent', props: JSON.stringify({ email: granted, wording: 'Email me offers' }), time });
}

/**
 * The shipped queries on a small shop whose right answers are worked out by hand: one A/B test
 * with a control group, one day's funnel, two retargeting lists. Run against every backend.
 */
export function describeShippedQueries(name: string, setup: WarehouseContractSetup): void {
  describe.skipIf(setup.skip !== undefined)(`shipped queries: ${name}${setup.skip ? ` (${setup.skip})` : ''}`, () => {
    const database = `tw_queries_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
    let backend: WarehouseBackend;

    beforeAll(async () => {
      backend = await setup.open(database);
      await backend.migrate();
      await backend.insert('triggers', abTestTriggers());
      await backend.insert('deliveries', abTestDeliveries());
      await backend.insert('conversions', orders());
      await backend.insert('events', [...funnelEvents(), ...audienceEvents()]);
    });

    afterAll(async () => {
      await setup.drop?.(database);
      await backend?.close();
    });

    test('scenario-kpis counts decisions, deliveries, attributed orders and uplift per variant and control', async () => {
      const rows = await scenarioKpis(backend, { from: D, to: D + DAY });
      expect(rows).toEqual([
        {
          scenario_id: 'cart-rescue', variant: 'A', decisions: 6, fired: 4, suppressed: 2, suppressed_cooldown: 1, suppressed_cap: 1,
          suppressed_priority: 0, suppressed_consent: 0, held_out: 0, delivered: 3, stopped_at_delivery: 1, popin_shown: 3, popin_clicked: 1, popin_click_rate: 0.3333,
          emails_sent: 0, emails_opened: 0, emails_clicked: 0, email_open_rate: 0, email_click_rate: 0, visitors: 4, converted_visitors: 2,
          conversion_rate: 0.5, conversions: 2, revenue: 160, control_conversion_rate: 0.2, uplift: 0.3,
        },
        {
          scenario_id: 'cart-rescue', variant: 'B', decisions: 4, fired: 2, suppressed: 2, suppressed_cooldown: 0, suppressed_cap: 0,
          suppressed_priority: 1, suppressed_consent: 1, held_out: 0, delivered: 2, stopped_at_delivery: 0, popin_shown: 0, popin_clicked: 0, popin_click_rate: 0,
          emails_sent: 2, emails_opened: 1, emails_clicked: 1, email_open_rate: 0.5, email_click_rate: 0.5, visitors: 2, converted_visitors: 1,
          conversion_rate: 0.5, conversions: 1, revenue: 80, control_conversion_rate: 0.2, uplift: 0.3,
        },
        {
          scenario_id: 'cart-rescue', variant: 'control', decisions: 5, fired: 0, suppressed: 0, suppressed_cooldown: 0, suppressed_cap: 0,
          suppressed_priority: 0, suppressed_consent: 0, held_out: 5, delivered: 0, stopped_at_delivery: 0, popin_shown: 0, popin_clicked: 0, popin_click_rate: 0,
          emails_sent: 0, emails_opened: 0, emails_clicked: 0, email_open_rate: 0, email_click_rate: 0, visitors: 5, converted_visitors: 1,
          conversion_rate: 0.2, conversions: 1, revenue: 40, control_conversion_rate: 0.2, uplift: 0,
        },
      ]);
    });

    test('scenario-kpis attributes only orders placed within the attribution window after the trigger', async () => {
      const rows = await scenarioKpis(backend, { from: D, to: D + DAY, attributionWindowMs: HOUR });
      const variantA = rows.find((row) => row.variant === 'A');
      expect(variantA).toMatchObject({ conversions: 1, revenue: 100, converted_visitors: 1 });
    });

    test('scenario-kpis leaves out decisions outside the date range', async () => {
      const rows = await scenarioKpis(backend, { from: D - DAY, to: D });
      expect(rows.map((row) => [row.variant, row.fired])).toEqual([['A', 1]]);
    });

    test('scenario-kpis leaves the control rate and uplift null where no control group was measured, not zero', async () => {
      const rows = await scenarioKpis(backend, { from: D - DAY, to: D });
      expect(rows.map((row) => [row.variant, row.control_conversion_rate, row.uplift])).toEqual([['A', null, null]]);
    });

    test('attributed orders count an order once when triggers of two scenarios preceded it, and leave the control group out', async () => {
      const site = 'two-scenarios';
      await backend.insert('triggers', [
        triggerRow({ site, visitor_id: 'both', scenario_id: 'welcome', variant: 'A', time: D + HOUR }),
        triggerRow({ site, visitor_id: 'both', scenario_id: 'cart-rescue', variant: 'A', time: D + 2 * HOUR }),
        triggerRow({ site, visitor_id: 'held', scenario_id: 'welcome', variant: 'A', status: 'suppressed', reason: 'control', time: D + HOUR }),
      ]);
      await backend.insert('conversions', [
        conversionRow({ site, visitor_id: 'both', order_id: 'o-both', value: 50, time: D + 3 * HOUR }),
        conversionRow({ site, visitor_id: 'held', order_id: 'o-held', value: 20, time: D + 3 * HOUR }),
      ]);
      const kpis = await scenarioKpis(backend, { site, from: D, to: D + DAY });
      expect(kpis.filter((row) => row.variant !== 'control').map((row) => [row.scenario_id, row.conversions])).toEqual([
        ['cart-rescue', 1],
        ['welcome', 1],
      ]);
      expect(await attributedOrders(backend, { site, from: D, to: D + DAY })).toEqual({ orders: 1, revenue: 50 });
      expect(await attributedOrders(backend, { site, from: D, to: D + DAY, attributionWindowMs: HOUR / 2 })).toEqual({ orders: 0, revenue: 0 });
    });

    test('funnel counts visitors per day who went view → cart → checkout → purchase in that order', async () => {
      expect(await funnelByDay(backend, { site: 'funnel', from: D, to: D + 2 * DAY })).toEqual([
        { day: '2025-03-10', viewed: 4, carted: 2, checked_out: 1, purchased: 1, cart_rate: 0.5, checkout_rate: 0.5, purchase_rate: 1, conversion_rate: 0.25 },
        { day: '2025-03-11', viewed: 1, carted: 0, checked_out: 0, purchased: 0, cart_rate: 0, checkout_rate: 0, purchase_rate: 0, conversion_rate: 0 },
      ]);
    });

    test('audience-category-viewers lists who viewed the category in the last days and did not buy, latest first', async () => {
      expect(await categoryViewers(backend, NONE_SUPPRESSED, 'teapots', { days: 7, asOf: D + 7 * DAY })).toEqual([
        { site: 'shop', visitor_id: 'w2', email: 'w2@example.com', views: 2, last_viewed_at: '2025-03-13 00:00:00' },
        { site: 'shop', visitor_id: 'w1', email: '', views: 1, last_viewed_at: '2025-03-11 00:00:00' },
      ]);
    });

    test('audience-cart-abandoners lists identified visitors who added to cart and have not bought since', async () => {
      expect(await cartAbandoners(backend, NONE_SUPPRESSED, { days: 7, asOf: D + 7 * DAY })).toEqual([
        { site: 'shop', visitor_id: 'x4', email: 'x4@example.com', cart_adds: 1, products: ['p9'], cart_value: 12, last_cart_at: '2025-03-13 00:00:00' },
        { site: 'shop', visitor_id: 'x1', email: 'x1@example.com', cart_adds: 2, products: ['p1', 'p2'], cart_value: 15, last_cart_at: '2025-03-11 00:00:00' },
      ]);
    });

    test('audience-cart-abandoners gives no email from an identify the site did not sign (verified: false)', async () => {
      // Anyone can type someone else's address into a shop's form; the gateway marks such an identify verified: false.
      // A site and a month of their own, so the other tests' audiences stay as they were.
      const site = 'unsigned';
      const at = D + 60 * DAY;
      await backend.insert('events', [
        eventRow({ site, visitor_id: 'm1', type: 'identify', props: JSON.stringify({ email: 'stranger@example.com', verified: false }), time: at }),
        eventRow({ site, visitor_id: 'm1', type: 'cart_add', product_id: 'p1', value: 10, time: at + HOUR }),
      ]);
      const rows = await cartAbandoners(backend, NONE_SUPPRESSED, { site, days: 7, asOf: at + DAY });
      expect(rows.map((row) => row.email)).not.toContain('stranger@example.com');
    });

    test('audiences leave out the address of a visitor who never consented to email', async () => {
      const site = 'no-consent';
      const at = D + 90 * DAY;
      await backend.insert('events', [
        identifyRow(site, 'silent', 'silent@example.com', at),
        eventRow({ site, visitor_id: 'silent', type: 'product', category: 'lamps', time: at + HOUR }),
        eventRow({ site, visitor_id: 'silent', type: 'cart_add', product_id: 'p1', value: 10, time: at + 2 * HOUR }),
      ]);
      const window = { site, days: 7, asOf: at + DAY };
      expect(await cartAbandoners(backend, NONE_SUPPRESSED, window)).toEqual([]);
      expect((await categoryViewers(backend, NONE_SUPPRESSED, 'lamps', window)).map((row) => [row.visitor_id, row.email])).toEqual([['silent', '']]);
    });

    test('audiences leave out an address whose email consent was withdrawn, and list it again once given again', async () => {
      const site = 'withdrawn';
      const at = D + 120 * DAY;
      await backend.insert('events', [
        identifyRow(site, 'wavering', 'wavering@example.com', at),
        consentRow(site, 'wavering', true, at + 1000),
        eventRow({ site, visitor_id: 'wavering', type: 'cart_add', product_id: 'p1', value: 10, time: at + HOUR }),
        consentRow(site, 'wavering', false, at + 2 * HOUR),
        consentRow(site, 'wavering', true, at + 4 * HOUR),
      ]);
      expect(await cartAbandoners(backend, NONE_SUPPRESSED, { site, days: 7, asOf: at + 3 * HOUR })).toEqual([]);
      expect((await cartAbandoners(backend, NONE_SUPPRESSED, { site, days: 7, asOf: at + 5 * HOUR })).map((row) => row.email)).toEqual(['wavering@example.com']);
    });

    test('audiences export an address only when the current consent was given for it', async () => {
      // As the engine's profile binds it (hasConsent): to the address signed in when given, else the first identified after.
      const site = 'consent-for';
      const at = D + 150 * DAY;
      await backend.insert('events', [
        identifyRow(site, 'shared', 'first@example.com', at),
        consentRow(site, 'shared', true, at + 1000),
        identifyRow(site, 'shared', 'second@example.com', at + 2000),
        eventRow({ site, visitor_id: 'shared', type: 'cart_add', product_id: 'p1', value: 10, time: at + HOUR }),
        eventRow({ site, visitor_id: 'shared', type: 'category', category: 'lamps', time: at + HOUR }),
        consentRow(site, 'early', true, at),
        identifyRow(site, 'early', 'early@example.com', at + 1000),
        eventRow({ site, visitor_id: 'early', type: 'cart_add', product_id: 'p2', value: 20, time: at + 2 * HOUR }),
      ]);
      const window = { site, days: 7, asOf: at + DAY };
      expect((await cartAbandoners(backend, NONE_SUPPRESSED, window)).map((row) => [row.visitor_id, row.email])).toEqual([['early', 'early@example.com']]);
      expect((await categoryViewers(backend, NONE_SUPPRESSED, 'lamps', window)).map((row) => [row.visitor_id, row.email])).toEqual([['shared', '']]);
    });

    for (const suppressions of SUPPRESSION_BACKENDS) {
      test(`audiences leave out addresses on the suppression list (${suppressions.name})`, async (context) => {
        const opened = await suppressions.open();
        if ('skip' in opened) return context.skip(opened.skip);
        try {
          const site = 'suppressed';
          const at = D + 180 * DAY;
          await backend.insert('events', [
            ...['gone', 'kept'].flatMap((visitor, i) => [
              identifyRow(site, visitor, `${visitor}@example.com`, at),
              consentRow(site, visitor, true, at + 1000),
              eventRow({ site, visitor_id: visitor, type: 'cart_add', product_id: 'p1', value: 10, time: at + HOUR + i }),
              eventRow({ site, visitor_id: visitor, type: 'category', category: 'lamps', time: at + HOUR + i }),
            ]),
          ]);
          await opened.list.add({ site, email: 'Gone@Example.com', reason: 'unsubscribe', at, detail: 'one-click' });
          await opened.list.add({ site: 'elsewhere', email: 'kept@example.com', reason: 'bounce', at, detail: '550' });
          const window = { site, days: 7, asOf: at + DAY };
          expect((await cartAbandoners(backend, opened.list, window)).map((row) => row.email)).toEqual(['kept@example.com']);
          expect((await categoryViewers(backend, opened.list, 'lamps', window)).map((row) => [row.visitor_id, row.email])).toEqual([
            ['kept', 'kept@example.com'],
            ['gone', ''],
          ]);
          const query = shippedQuery('audience-cart-abandoners');
          const rows = await query.run(backend, { site, 'as-of': String(at + DAY) }, at + DAY, opened.list);
          expect(toCsv(rows, query.columns)).not.toContain('gone@example.com');
        } finally {
          await opened.close();
        }
      });
    }

    test('funnel counts a cart add made later within the same second as the product view', async () => {
      const site = 'same-second';
      const second = D + 10 * HOUR;
      await backend.insert('events', [
        eventRow({ site, visitor_id: 'quick', type: 'product', product_id: 'p1', time: second + 100 }),
        eventRow({ site, visitor_id: 'quick', type: 'cart_add', product_id: 'p1', time: second + 900 }),
      ]);
      const [day] = await funnelByDay(backend, { site, from: D, to: D + DAY });
      expect(day).toMatchObject({ viewed: 1, carted: 1 });
    });

    test('funnel does not count a cart add made earlier within the same second as the product view', async () => {
      const site = 'same-second-reversed';
      const second = D + 11 * HOUR;
      await backend.insert('events', [
        eventRow({ site, visitor_id: 'reversed', type: 'cart_add', product_id: 'p1', time: second + 100 }),
        eventRow({ site, visitor_id: 'reversed', type: 'product', product_id: 'p1', time: second + 900 }),
      ]);
      const [day] = await funnelByDay(backend, { site, from: D, to: D + DAY });
      expect(day).toMatchObject({ viewed: 1, carted: 0 });
    });

    test('an audience exports as CSV with a header row, lists in one cell', async () => {
      const query = shippedQuery('audience-cart-abandoners');
      const rows = await query.run(backend, { days: '7', 'as-of': '2025-03-17' }, Date.now(), NONE_SUPPRESSED);
      expect(toCsv(rows, query.columns)).toBe(
        'site,visitor_id,email,cart_adds,products,cart_value,last_cart_at\r\n' +
          'shop,x4,x4@example.com,1,p9,12,2025-03-13 00:00:00\r\n' +
          'shop,x1,x1@example.com,2,p1 p2,15,2025-03-11 00:00:00\r\n',
      );
    });
  });
}

function abTestTriggers() {
  const at = D + HOUR;
  const fired = (visitor: string, variant: string, channel: string) =>
    triggerRow({ trigger_id: `t-${visitor}`, visitor_id: visitor, scenario_id: 'cart-rescue', variant, channel, status: 'fired', reason: '', time: at });
  const suppressed = (visitor: string, variant: string, reason: string) =>
    triggerRow({ visitor_id: visitor, scenario_id: 'cart-rescue', variant, status: 'suppressed', reason, time: at });
  return [
    ...['a1', 'a2', 'a3', 'a4'].map((visitor) => fired(visitor, 'A', 'popin')),
    ...['b1', 'b2'].map((visitor) => fired(visitor, 'B', 'email')),
    ...['c1', 'c2', 'c3', 'c4', 'c5'].map((visitor) => suppressed(visitor, 'control', 'control')),
    suppressed('s1', 'A', 'cooldown'),
    suppressed('s2', 'A', 'cap'),
    suppressed('s3', 'B', 'consent'),
    suppressed('s4', 'B', 'priority'),
    // The day before the range.
    triggerRow({ visitor_id: 'z', scenario_id: 'cart-rescue', variant: 'A', status: 'fired', reason: '', time: D - HOUR }),
  ];
}

function abTestDeliveries() {
  const at = D + HOUR + 1000;
  const step = (visitor: string, channel: string, status: string) =>
    deliveryRow({ trigger_id: `t-${visitor}`, visitor_id: visitor, scenario_id: 'cart-rescue', channel, status, time: at });
  return [
    ...['a1', 'a2', 'a3', 'a4'].map((visitor) => step(visitor, 'popin', visitor === 'a4' ? 'no_connection' : 'sent')),
    step('a1', 'popin', 'shown'),
    step('a1', 'popin', 'shown'),
    step('a1', 'popin', 'clicked'),
    step('a2', 'popin', 'shown'),
    step('a3', 'popin', 'shown'),
    step('a3', 'popin', 'dismissed'),
    ...['b1', 'b2'].flatMap((visitor) => [step(visitor, 'email', 'queued'), step(visitor, 'email', 'sent')]),
    step('b1', 'email', 'opened'),
    step('b1', 'email', 'clicked'),
    // a4's pop-in found no connection; its retry found the consent withdrawn.
    deliveryRow({ trigger_id: 't-a4', visitor_id: 'a4', scenario_id: 'cart-rescue', channel: 'popin', status: 'suppressed', detail: 'consent', time: at + 60_000 }),
    // a2's pop-in was shown before a crash kept it from being settled; its retry was stopped: delivered, not stopped.
    deliveryRow({ trigger_id: 't-a2', visitor_id: 'a2', scenario_id: 'cart-rescue', channel: 'popin', status: 'suppressed', detail: 'consent', time: at + 60_000 }),
  ];
}

function orders() {
  const order = (visitor: string, value: number, time: number) => conversionRow({ visitor_id: visitor, order_id: `o-${visitor}`, value, time });
  return [
    order('a1', 100, D + 2 * HOUR),
    order('a4', 60, D + 5 * HOUR),
    order('a2', 50, D + 10 * DAY),
    order('a3', 30, D + HOUR / 2),
    order('b1', 80, D + DAY),
    order('c1', 40, D + 3 * HOUR),
    order('s1', 20, D + 2 * HOUR),
    order('w3', 25, D + 4 * DAY),
    order('x2', 35, D + 2 * DAY),
    order('x4', 45, D + DAY),
  ];
}

function funnelEvents() {
  const event = (visitor: string, type: string, seconds: number, day = D) =>
    eventRow({ site: 'funnel', visitor_id: visitor, type, time: day + 10 * HOUR + seconds * 1000 });
  return [
    event('v1', 'product', 1), event('v1', 'cart_add', 2), event('v1', 'checkout', 3), event('v1', 'purchase', 4),
    event('v2', 'product', 1), event('v2', 'cart_add', 2),
    event('v3', 'product', 1), event('v3', 'page', 2),
    event('v4', 'cart_add', 1), event('v4', 'product', 2),
    event('v5', 'purchase', 1),
    event('v1', 'product', 1, D + DAY),
  ];
}

function audienceEvents() {
  const view = (visitor: string, type: string, category: string, time: number) => eventRow({ visitor_id: visitor, type, category, time });
  const cart = (visitor: string, product: string, value: number, time: number) =>
    eventRow({ visitor_id: visitor, type: 'cart_add', product_id: product, value, time });
  // Every identified visitor here said yes to email: these lists differ only in what they did.
  const identify = (visitor: string) => [identifyRow('shop', visitor, `${visitor}@example.com`, D - DAY), consentRow('shop', visitor, true, D - DAY + 1000)];
  return [
    view('w1', 'category', 'teapots', D + DAY),
    view('w2', 'product', 'teapots', D + 2 * DAY),
    view('w2', 'product', 'teapots', D + 3 * DAY),
    ...identify('w2'),
    view('w3', 'category', 'teapots', D + 3 * DAY),
    view('w4', 'category', 'teapots', D - DAY),
    view('w5', 'category', 'mugs', D + DAY),
    ...identify('x1'), cart('x1', 'p2', 5, D + DAY - 1000), cart('x1', 'p1', 10, D + DAY),
    ...identify('x2'), cart('x2', 'p3', 7, D + DAY),
    cart('x3', 'p4', 9, D + DAY),
    ...identify('x4'), cart('x4', 'p9', 12, D + 3 * DAY),
    ...identify('x5'), cart('x5', 'p5', 8, D - 2 * DAY),
  ];
}
