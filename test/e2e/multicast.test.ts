/*
 * Scheduled sends to a segment (multicast), end to end: a real engine (embedded, or on Redis and
 * ClickHouse servers) with a schedule scenario, an audience built from events in its warehouse,
 * visitors signed in over the socket, and mail to a real SMTP server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TrackedEvent } from '../../engine/events/index.js';
import { identityHmac } from '../../engine/gateway/index.js';
import { eventRow } from '../../engine/pipeline/index.js';
import { ScenarioCompiler, scheduleOccurrence, type ScheduleTrigger } from '../../engine/scenarios/index.js';
import { SocketClient, event } from '../support/socket-client.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { backendVariants, eventually, startTestEngine, type TestEngine } from '../support/test-engine.js';

const { variants, urls } = await backendVariants();

const DAILY_MUGS = `id: daily-mugs
name: New mugs
when:
  schedule:
    every: 1d
    at: "00:00"
    timezone: UTC
    audience:
      query: audience-category-viewers
      params: { category: mugs, days: 7 }
visitor: { identified: true }
then:
  email: { template: new-arrivals }
`;

const schedule = new ScenarioCompiler().compileOrThrow('daily-mugs.yaml', DAILY_MUGS)!.trigger as ScheduleTrigger;

let eventIds = 0;

describe.each(variants)('scheduled sends to a segment on $backends backends', ({ backends, skip }) => {
  let engine: TestEngine;
  let smtp: SmtpSink;
  let folder: string;
  let occurrence: number;

  beforeAll(async () => {
    if (skip !== undefined) return;
    folder = await mkdtemp(join(tmpdir(), 'tripwire-multicast-'));
    await writeFile(join(folder, 'daily-mugs.yaml'), DAILY_MUGS);
    smtp = await startSmtpSink();
    engine = await startTestEngine(backends, urls, {
      email: { smtpUrl: smtp.url },
      scenarios: { dir: folder },
      mailer: { pollInterval: 50 },
      // Sends run only when the test asks: the audience must be in place first.
      schedules: { pollInterval: 0 },
    });
    occurrence = scheduleOccurrence(schedule, Date.now())!;
    // Ann, Bob and Dan looked at mugs before today's send; Cid only at linen.
    await engine.warehouse.insert('events', [
      viewed('ann', 'mugs', occurrence - 3 * 3_600_000),
      viewed('bob', 'mugs', occurrence - 2 * 86_400_000),
      viewed('dan', 'mugs', occurrence - 3_600_000),
      viewed('cid', 'linen', occurrence - 3_600_000),
    ].map(eventRow));
    await signIn('ann', true);
    await signIn('bob', true);
    await signIn('cid', true);
    await signIn('dan', false);
  });

  afterAll(async () => {
    await engine?.close();
    await smtp?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  function viewed(visitor: string, category: string, time: number): TrackedEvent {
    return { id: `view-${visitor}`, site: 'demo', visitor, session: 's', type: 'product', time, receivedAt: time, url: 'https://shop.example/p', props: { id: `${category}-1`, category } };
  }

  /** A signed identify, with consent to email or without. */
  async function signIn(visitor: string, consents: boolean): Promise<void> {
    const email = `${visitor}@example.test`;
    const frames = [event(`e${++eventIds}`, 'identify', { email, hmac: identityHmac(engine.config.sites[0]!.secret, email), traits: { name: visitor } })];
    if (consents) frames.push(event(`e${++eventIds}`, 'consent', { email: true }));
    const client = await SocketClient.open(engine.url, 'demo', visitor);
    client.send(JSON.stringify({ b: frames }));
    await client.next((message) => message.k === 'ack');
    client.close();
  }

  function mailsTo(visitor: string): ParsedMail[] {
    return smtp.messages.filter((message) => (message.to && 'text' in message.to ? message.to.text : '').includes(`${visitor}@example.test`));
  }

  async function triggers(): Promise<Array<{ visitor_id: string; status: string; reason: string; event_id: string }>> {
    await engine.sink.flush();
    return engine.warehouse.query(
      "SELECT visitor_id, status, reason, event_id FROM {triggers} WHERE scenario_id = 'daily-mugs' ORDER BY visitor_id",
    );
  }

  test.skipIf(skip !== undefined)('a due send runs the audience query once and hands each member to delivery', async () => {
    const runs = await engine.schedules.runDue();

    expect(runs).toEqual([{ scenario: 'daily-mugs', site: 'demo', occurrence, audience: 3, failed: 0 }]);
  });

  test.skipIf(skip !== undefined)('exactly the members who consented to email get it, with the audience\'s category', async () => {
    await eventually(() => (mailsTo('ann').length > 0 && mailsTo('bob').length > 0 ? true : undefined), 15_000, 'the two emails');

    expect(mailsTo('ann')).toHaveLength(1);
    expect(mailsTo('bob')).toHaveLength(1);
    expect(mailsTo('cid')).toEqual([]);
    expect(mailsTo('dan')).toEqual([]);
    expect(mailsTo('ann')[0]!.subject).toBe('New this week in mugs');
    expect(mailsTo('ann')[0]!.text).toContain('Hi ann,');
  });

  test.skipIf(skip !== undefined)('every decision is in the warehouse as a trigger of the occurrence', async () => {
    const rows = await eventually(async () => {
      const found = await triggers();
      return found.length >= 3 ? found : undefined;
    }, 10_000, 'the trigger rows');

    const id = `schedule:${occurrence}`;
    expect(rows).toEqual([
      { visitor_id: 'ann', status: 'fired', reason: '', event_id: id },
      { visitor_id: 'bob', status: 'fired', reason: '', event_id: id },
      { visitor_id: 'dan', status: 'suppressed', reason: 'consent', event_id: id },
    ]);
  });

  test.skipIf(skip !== undefined)('running again for the same occurrence sends nothing more', async () => {
    expect(await engine.schedules.runDue()).toEqual([]);

    expect(await triggers()).toHaveLength(3);
    expect(smtp.messages).toHaveLength(2);
  });
});
