import { afterEach, describe, expect, test } from 'vitest';
import { loadPack } from '../../engine/scenarios/pack/index.js';
import { DAY, HOUR, MINUTE, T0, openHarness, signIn, storeKinds, type ScenarioHarness } from './scenario-harness.js';

const WELCOME_SERIES = await loadPack(['welcome-series']);
const WELCOME_D1 = await loadPack(['welcome-d1']);

describe.each(await storeKinds())('built-in welcome scenarios, on the $kind store', ({ kind, skip, url }) => {
  let harness: ScenarioHarness;
  afterEach(() => harness?.close());

  test.skipIf(skip !== undefined)('the welcome sequence sends the welcome at signup and the best sellers three days later', async () => {
    harness = await openHarness(kind, url, WELCOME_SERIES);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['welcome']);
    await harness.advanceTo(T0 + 3 * DAY - 1);
    expect(harness.emails).toHaveLength(1);
    await harness.advanceTo(T0 + 3 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['welcome', 'welcome-best-sellers']);
  });

  test.skipIf(skip !== undefined)('a purchase before day three ends the welcome sequence', async () => {
    harness = await openHarness(kind, url, WELCOME_SERIES);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.send('ann', 'purchase', { order: 'o1', value: 40 }, T0 + 2 * DAY);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.emails.map((email) => email.action.template)).toEqual(['welcome']);
  });

  test.skipIf(skip !== undefined)('signing in again without signing up sends no welcome', async () => {
    harness = await openHarness(kind, url, WELCOME_SERIES);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'newsletter_open' }, T0);
    await harness.advanceTo(T0 + 10 * DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('the welcome at D+1 goes one day after the signup, not before', async () => {
    harness = await openHarness(kind, url, WELCOME_D1);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0 + MINUTE);
    await harness.advanceTo(T0 + MINUTE + DAY - 1);
    expect(harness.triggers()).toEqual([]);
    await harness.advanceTo(T0 + MINUTE + DAY);
    expect(harness.fired()).toMatchObject([{ scenario: 'welcome-d1', time: T0 + MINUTE + DAY }]);
    expect(harness.emails[0]?.to).toBe('ann@example.test');
  });

  test.skipIf(skip !== undefined)('a visitor who signed up without giving an email gets no welcome at D+1', async () => {
    harness = await openHarness(kind, url, WELCOME_D1);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.advanceTo(T0 + 2 * DAY);
    expect(harness.triggers()).toEqual([]);
  });

  test.skipIf(skip !== undefined)('the welcome at D+1 is sent once, even if the signup is reported twice', async () => {
    harness = await openHarness(kind, url, WELCOME_D1);
    await signIn(harness, 'ann', T0);
    await harness.send('ann', 'track', { name: 'signup' }, T0);
    await harness.advanceTo(T0 + DAY + HOUR);
    await harness.send('ann', 'track', { name: 'signup' }, T0 + DAY + HOUR);
    await harness.advanceTo(T0 + 5 * DAY);
    expect(harness.emails).toHaveLength(1);
    expect(harness.triggers()).toMatchObject([{ status: 'fired' }, { status: 'suppressed', reason: 'cooldown' }]);
  });
});
