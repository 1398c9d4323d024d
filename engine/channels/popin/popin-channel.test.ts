import { expect, test } from 'vitest';
import type { DeliveryContext, PopinOutcome } from '../../pipeline/index.js';
import type { PopinMessage } from '../../protocol/index.js';
import type { PopinAction } from '../../scenarios/index.js';
import { PopinChannel } from './popin-channel.js';

/** The visitor's connections, as the gateway's registry would hold them: here, what was sent. */
class SentMessages {
  readonly sent: PopinMessage[] = [];
  send(_visitor: unknown, message: PopinMessage): PopinOutcome {
    this.sent.push(message);
    return 'sent';
  }
}

const context = {
  trigger: { id: 'trg-1', scenario: 'newsletter', variant: '', time: 0 },
  site: { key: 'demo', name: 'Trail Shop', url: 'https://shop.example' },
  visitor: {},
  cart: [],
  cartTotal: 0,
  props: { name: 'Trail shoe' },
} as unknown as DeliveryContext;

const action = (form: PopinAction['form']): PopinAction => ({ channel: 'popin', template: 'modal', title: 'Hi', body: '', image: undefined, cta: undefined, form });

async function shown(form: PopinAction['form']): Promise<PopinMessage> {
  const connections = new SentMessages();
  await new PopinChannel(connections).show({ site: 'demo', visitor: 'v1' }, action(form), context);
  return connections.sent[0]!;
}

test('renders an email form’s strings with the trigger context', async () => {
  const message = await shown({ kind: 'email', label: 'Email', consent: 'Email me offers from {{ site.name }}.', submit: 'Send', thanks: 'Thanks, {{ site.name }}!' });
  expect(message.form).toEqual({ kind: 'email', label: 'Email', consent: 'Email me offers from Trail Shop.', submit: 'Send', thanks: 'Thanks, Trail Shop!' });
});

test('renders a survey’s question and options, and keeps its trait name as written', async () => {
  const message = await shown({ kind: 'survey', trait: 'fit_{{ site.key }}', question: 'How did the {{ props.name }} fit?', options: ['Small', 'Right'] });
  expect(message.form).toEqual({ kind: 'survey', trait: 'fit_{{ site.key }}', question: 'How did the Trail shoe fit?', options: ['Small', 'Right'] });
});

test('sends no form when the scenario has none', async () => {
  expect(await shown(undefined)).not.toHaveProperty('form');
});

test('leaves out a CTA or image whose site path a browser would resolve to another host', async () => {
  const connections = new SentMessages();
  const offSite: PopinAction = { ...action(undefined), image: '/\\evil.com/i.png', cta: { label: 'See it', url: '/{{ props.path }}' } };
  await new PopinChannel(connections).show({ site: 'demo', visitor: 'v1' }, offSite, { ...context, props: { path: '\\evil.com' } } as DeliveryContext);
  expect(connections.sent[0]).not.toHaveProperty('image');
  expect(connections.sent[0]).not.toHaveProperty('cta');
});

test('keeps a CTA and image on the site’s own paths', async () => {
  const connections = new SentMessages();
  const onSite: PopinAction = { ...action(undefined), image: '/img/{{ props.name | url_encode }}.png', cta: { label: 'See it', url: '/p/1' } };
  await new PopinChannel(connections).show({ site: 'demo', visitor: 'v1' }, onSite, context);
  expect(connections.sent[0]).toMatchObject({ image: '/img/Trail+shoe.png', cta: { label: 'See it', url: '/p/1' } });
});
