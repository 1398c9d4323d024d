import { describe, expect, it } from 'vitest';
import { EmailLinks } from '../channels/email/index.js';
import { CollectingSink } from '../pipeline/index.js';
import { DeliveryLog } from './delivery-log.js';
import { EmailLinkPages } from './email-link-pages.js';
import { MemorySuppressionList } from './memory/index.js';

const clock = { now: () => Date.UTC(2026, 0, 5, 10) };
const links = new EmailLinks({ baseUrl: 'https://engine.test', secrets: new Map([['acme', 'acme-secret-0123456789']]) });
const subject = { site: 'acme', trigger: 'trg-1', visitor: 'v-1', scenario: 'cart-abandoned', email: 'ada@example.test' };

function pagesWith(suppressions: MemorySuppressionList, sink: CollectingSink): EmailLinkPages {
  return new EmailLinkPages({ links, suppressions, log: new DeliveryLog(sink, clock), clock, siteNames: new Map([['acme', 'Acme']]) });
}

describe('the unsubscribe page', () => {
  it('records an unsubscribe made with the confirmation page\'s button as "confirmation page", not as a one-click POST', async () => {
    const suppressions = new MemorySuppressionList();
    const sink = new CollectingSink();
    const unsubscribe = pagesWith(suppressions, sink).sources().find((source) => source.prefix === '/u')!;
    const path = new URL(links.unsubscribeUrl(subject)).pathname;

    const confirmation = await unsubscribe.handle({ method: 'GET', path, query: '', headers: {} });
    // What a browser posts for the page's form: its fields, url-encoded.
    const form = String(confirmation!.body);
    const fields = [...form.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map(([, name, value]) => `${encodeURIComponent(name!)}=${encodeURIComponent(value!)}`);
    await unsubscribe.handle({ method: 'POST', path, query: '', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.join('&') });

    expect(await suppressions.find('acme', 'ada@example.test')).toMatchObject({ reason: 'unsubscribe', detail: 'confirmation page' });
    expect(sink.rows.deliveries.map((row) => row.detail)).toEqual(['confirmation page']);
  });
});
