import type { EmailJob } from '../../engine/mailer/index.js';
import { grantEmailConsent, type TestEngine } from './test-engine.js';

/** A marketing job as a trigger queues it: for a visitor who consents to email, which the worker checks before sending. */
export async function enqueueWithConsent(engine: TestEngine, job: EmailJob): Promise<void> {
  await grantEmailConsent(engine, job.site, job.visitor);
  await engine.mailer.queue.enqueue(job);
}

/** A cart-abandoned email job of the demo site, for `to`. */
export function cartJob(id: string, to = 'ada@example.test'): EmailJob {
  return {
    id,
    attempt: 1,
    enqueuedAt: Date.now(),
    site: 'demo',
    visitor: `visitor-${id}`,
    scenario: 'cart-abandoned',
    request: {
      triggerId: id,
      scenarioId: 'cart-abandoned',
      site: { key: 'demo', name: 'Demo', from: 'shop@demo.test', publicUrl: 'http://localhost/shop' },
      visitor: `visitor-${id}`,
      to,
      template: 'cart-abandoned',
      context: { visitor: { name: 'Ada' }, cart: [{ id: 'ethiopia-guji', name: 'Ethiopia Guji, 250 g', price: 13.5, qty: 2, image: '', url: '' }], cartTotal: 27 },
    },
  };
}
