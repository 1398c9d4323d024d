import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sampleEmailContext, type EmailSite } from '../email/index.js';
import type { EmailAction } from '../../scenarios/index.js';
import { loadPack } from '../../scenarios/pack/index.js';
import { checkTemplates, TemplateRenderer } from './index.js';

const demoTemplates = fileURLToPath(new URL('../../../deploy/demo/templates', import.meta.url));

const site: EmailSite = { key: 'demo', name: 'Demo Roasters', from: 'shop@demo.test', publicUrl: 'https://demo.test/shop' };

interface PackEmail {
  scenario: string;
  action: EmailAction;
}

/** Every email step of every built-in scenario, journeys included. */
async function packEmails(): Promise<PackEmail[]> {
  const emails: PackEmail[] = [];
  for (const scenario of await loadPack('all')) {
    for (const variant of scenario.variants) {
      for (const step of variant.steps) {
        if (step.action.channel === 'email') emails.push({ scenario: scenario.id, action: step.action });
      }
    }
  }
  return emails;
}

/** The context the mailer builds for a trigger, over the preview's sample data. */
function contextFor(action: EmailAction, props: Record<string, unknown> = {}): Record<string, unknown> {
  const sample = sampleEmailContext(site);
  return {
    ...sample,
    site,
    props,
    variables: action.variables,
    discountCode: action.variables.code ?? sample.discountCode,
  };
}

function emailAction(template: string, variables: Record<string, string> = {}): EmailAction {
  return { channel: 'email', template, subject: undefined, variables };
}

const emails = await packEmails();
const renderer = new TemplateRenderer({ dir: demoTemplates });
const unsubscribeUrl = String(sampleEmailContext(site).unsubscribeUrl);

describe('the email templates of the scenario pack', () => {
  it('are found in the pack', () => {
    expect(emails.length).toBeGreaterThan(20);
  });

  it.each(emails.map((email) => [`${email.scenario} → ${email.action.template}`, email] as const))(
    '%s renders with the scenario subject and an unsubscribe link',
    async (_, { action }) => {
      const email = await renderer.render(action.template, contextFor(action), action.subject === undefined ? {} : { subject: action.subject });

      expect(email.subject).not.toBe('');
      expect(email.html).toMatch(/^<!DOCTYPE html>/);
      expect(email.html).toContain(`href="${unsubscribeUrl}" style="color:#6b7280;" data-test="unsubscribe-link"`);
      expect(email.text.trim()).not.toBe('');
      expect(email.text).toContain(`Unsubscribe: ${unsubscribeUrl}`);
    },
  );

  it.each([...new Set(emails.map((email) => email.action.template))])('%s has a subject of its own', async (template) => {
    const email = await renderer.render(template, contextFor(emailAction(template)));

    expect(email.subject).not.toBe('');
  });

  it('pass the template check with no problems', async () => {
    expect((await checkTemplates(demoTemplates)).map((problem) => problem.message)).toEqual([]);
  });
});

describe('what the pack emails show from the triggering event', () => {
  it('strikes through the old price of a catalogue price drop', async () => {
    const props = { id: 'ethiopia-guji', name: 'Ethiopia Guji, 250 g', price: 13.5, old_price: 16, reason: 'viewed' };

    const email = await renderer.render('price-drop', contextFor(emailAction('price-drop'), props));

    expect(email.html).toContain('<s style="color:#9ca3af;">16.00</s>');
    expect(email.text).toContain('from 16.00 to 13.50');
  });

  it('links a search email to the results of the query, URL-encoded on the site', async () => {
    const email = await renderer.render('search-abandoned', contextFor(emailAction('search-abandoned'), { q: 'guji & <mug>' }));

    expect(email.html).toContain('href="https://demo.test/shop/search?q=guji+%26+%3Cmug%3E"');
    expect(email.html).toContain('&ldquo;guji &amp; &lt;mug&gt;&rdquo;');
    expect(email.text).toContain('You searched for "guji & <mug>" earlier.');
  });

  it('lists the order lines and total of a purchase in the order confirmation', async () => {
    const props = { order: 'A-1042', value: 40.5, items: [{ id: 'ethiopia-guji', name: 'Ethiopia Guji, 250 g', qty: 3, price: 13.5 }] };

    const email = await renderer.render('order-confirmation', contextFor(emailAction('order-confirmation'), props));

    expect(email.subject).toBe('Your Demo Roasters order A-1042 is confirmed');
    expect(email.html).toContain('href="https://demo.test/shop/order?n=A-1042"');
    expect(email.text).toContain('- Ethiopia Guji, 250 g: 3 x 13.50 = 40.50');
    expect(email.text).toContain('Total: 40.50');
  });

  it('links a category email to the category page of the site', async () => {
    const email = await renderer.render('category-abandoned', contextFor(emailAction('category-abandoned'), { id: 'coffee', name: 'Coffee' }));

    expect(email.subject).toBe('Best sellers in Coffee');
    expect(email.html).toContain('href="https://demo.test/shop/c/coffee"');
  });

  it('shows the scenario discount code', async () => {
    const action = emailAction('reactivation-offer', { code: 'COMEBACK10' });

    const email = await renderer.render('reactivation-offer', contextFor(action));

    expect(email.html).toContain('COMEBACK10');
    expect(email.text).toContain('Your code: COMEBACK10');
  });
});
