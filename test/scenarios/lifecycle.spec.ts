import { afterEach, describe, expect, test } from 'vitest';
import { loadPack } from '../../engine/scenarios/pack/index.js';
import { DAY, HOUR, T0, openHarness, signIn, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const REACTIVATION = await loadPack(['reactivation']);
const BIRTHDAY = await loadPack(['birthday']);
const PROMO_D5 = await loadPack(['promo-d5-unless-purchased']);

describe.each(await storeKinds())('built-in lifecycle scenarios, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('an inactive customer gets the ladder at D+60, D+70 and D+90 after the last purchase', async () => {
    harness = await openHarness(kind, url, REACTIVATION);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0);
    await harness.advanceTo(T0 + 120 * DAY);
    expect(harness.fired().map((firing) => firing.time)).toEqual([T0 + 60 * DAY, T0 + 70 * DAY, T0 + 90 * DAY]);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['we-miss-you', 'reactivation-offer', 'reactivation-last-chance']);
  });

  test.skipIf(skip !== undefined)('a purchase on the ladder stops it and starts the 60 days again', async () => {
    harness = await openHarness(kind, url, REACTIVATION);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0);
    await harness.advanceTo(T0 + 65 * DAY);
    await harness.send('ann', 'purchase', { order: 'A-2', value: 30 }, T0 + 65 * DAY);
    await harness.advanceTo(T0 + 124 * DAY);
    expect(harness.fired().map((firing) => firing.time)).toEqual([T0 + 60 * DAY]);
    await harness.advanceTo(T0 + 125 * DAY);
    expect(harness.fired().map((firing) => firing.time)).toEqual([T0 + 60 * DAY, T0 + 125 * DAY]);
  });

  test.skipIf(skip !== undefined)('a visitor who never bought is not on the reactivation ladder', async () => {
    harness = await openHarness(kind, url, REACTIVATION);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'product', { id: 'mug' }, T0);
    await harness.advanceTo(T0 + 120 * DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('the birthday email goes on the day at 9:00 in Paris, with its gift code', async () => {
    harness = await openHarness(kind, url, BIRTHDAY);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'identify', { email: 'ann@example.test', verified: true, traits: { birthday: '1990-03-14' } }, T0);
    await harness.advanceTo(Date.UTC(2026, 2, 14, 7, 59));
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(Date.UTC(2026, 2, 15));
    expect(harness.fired()).toMatchObject([{ scenario: 'birthday', time: Date.UTC(2026, 2, 14, 8, 0) }]);
    expect(harness.emails[0]?.action.variables.code).toBe('BIRTHDAY15');
  });

  test.skipIf(skip !== undefined)('an engaged visitor gets a selection now and, without a purchase, a promo code at D+5', async () => {
    harness = await openHarness(kind, url, PROMO_D5);
    await signIn(harness, 'ann', T0);
    for (const [hour, id] of [[0, 'mug'], [1, 'cup'], [2, 'bowl']] as const) await harness.send('ann', 'product', { id }, T0 + hour * HOUR);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['selection']);
    await harness.advanceTo(T0 + 2 * HOUR + 5 * DAY - 1);
    expect(harness.emails).toHaveLength(1);
    await harness.advanceTo(T0 + 2 * HOUR + 5 * DAY);
    expect(harness.emails.map((email) => [email.action.template, email.action.variables.code])).toEqual([
      ['selection', undefined],
      ['promo-code', 'WELCOME15'],
    ]);
  });

  test.skipIf(skip !== undefined)('a purchase within the five days means no promo code', async () => {
    harness = await openHarness(kind, url, PROMO_D5);
    await signIn(harness, 'ann', T0);
    for (const id of ['mug', 'cup', 'bowl']) await harness.send('ann', 'product', { id }, T0);
    await harness.send('ann', 'purchase', { order: 'A-1', value: 30 }, T0 + 4 * DAY);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['selection']);
  });

  test.skipIf(skip !== undefined)('the same product viewed three times is not engagement enough', async () => {
    harness = await openHarness(kind, url, PROMO_D5);
    await signIn(harness, 'ann', T0);
    for (const hour of [0, 1, 2]) await harness.send('ann', 'product', { id: 'mug' }, T0 + hour * HOUR);
    expect(harness.triggers()).toEqual([]);
  });
});
