import type { Clock, TrackedEvent, VisitorRef } from '../events/index.js';
import type { Logger } from '../observability/index.js';
import type { Frame } from '../pipeline/index.js';
import { readCart } from '../scenarios/index.js';
import type { InterestIndex, WindowStore } from '../state/index.js';
import { changeId, fansOut } from './pending-fan-outs.js';
import type { CatalogueChange } from './product.js';

/** Where fanned-out events go: the pipeline, which processes them like any visitor's frame. */
export interface EventIntake {
  process(frame: Frame): Promise<void>;
}

export interface FanOutDeps {
  index: InterestIndex;
  /** Read to check cart interests against the visitor's cart (a purchase empties it). */
  store: Pick<WindowStore, 'snapshot'>;
  intake: EventIntake;
  clock: Clock;
  logger: Logger;
}

export interface FanOutOptions {
  /** Product views this recent make a visitor interested (14 days by default). */
  viewedWithin: number;
  /** Visitors processed at once. */
  concurrency: number;
}

export type InterestReason = 'viewed' | 'in_cart';

export interface FanOutReport {
  /** Events submitted, one per interested visitor and change. */
  events: number;
  /** Events the pipeline failed to process (logged). */
  failed: number;
}

/**
 * Turns catalogue changes into engine events for the visitors the interest index names, and
 * only them: price_drop to recent viewers and carts, back_in_stock to those who viewed it since
 * it went out of stock (within the same 14 days) and carts. Product data comes from the
 * catalogue, never from a browser. The event id is the change's, so a retried fan-out is
 * deduplicated per visitor by the store.
 */
export class CatalogueFanOut {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly deps: FanOutDeps,
    private readonly options: FanOutOptions,
  ) {}

  async deliver(changes: readonly CatalogueChange[]): Promise<FanOutReport> {
    const report: FanOutReport = { events: 0, failed: 0 };
    for (const change of changes) {
      if (!fansOut(change)) continue;
      const audience = await this.audience(change);
      const events = [...audience].map(([visitor, reason]) => this.event(change, visitor, reason));
      const work = this.submitAll(change.site, events);
      this.inFlight.add(work);
      try {
        const failed = await work;
        report.events += events.length;
        report.failed += failed;
      } finally {
        this.inFlight.delete(work);
      }
    }
    if (report.failed > 0) {
      this.deps.logger.error({ failed: report.failed, events: report.events }, 'some catalogue events could not be processed; see the errors above');
    }
    return report;
  }

  /** Waits for the fan-outs under way (engine shutdown, before the pipeline stops). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Interested visitors and why; a visitor with the product in their cart is told so, even if they also viewed it. */
  private async audience(change: CatalogueChange): Promise<Map<string, InterestReason>> {
    const { index, clock } = this.deps;
    const now = clock.now();
    const { site, product } = change;
    const recent = now - this.options.viewedWithin;
    const since = change.kind === 'back_in_stock' ? Math.max(recent, change.previousStockSince) : recent;
    const [viewers, carts] = await Promise.all([
      index.interested({ site, product: product.id, interest: 'view', since, now }),
      index.interested({ site, product: product.id, interest: 'cart', since: 0, now }),
    ]);
    const audience = new Map<string, InterestReason>(viewers.map((viewer) => [viewer.visitor, 'viewed']));
    const stale: string[] = [];
    await this.eachLimited(carts, async ({ visitor }) => {
      const snapshot = await this.deps.store.snapshot({ site, visitor });
      if (readCart(snapshot.cart).some((line) => line.id === product.id)) audience.set(visitor, 'in_cart');
      else stale.push(visitor);
    });
    if (stale.length > 0) await index.forget(site, product.id, 'cart', stale);
    return audience;
  }

  private event(change: CatalogueChange, visitor: string, reason: InterestReason): TrackedEvent {
    const { product } = change;
    return {
      id: changeId(change),
      site: change.site,
      visitor,
      session: '',
      type: change.kind === 'price_drop' ? 'price_drop' : 'back_in_stock',
      time: change.at,
      receivedAt: this.deps.clock.now(),
      url: product.url,
      props: {
        id: product.id,
        name: product.name,
        price: product.price,
        old_price: change.oldPrice,
        image: product.image,
        url: product.url,
        category: product.category,
        stock: product.stock,
        reason,
      },
    };
  }

  /** Resolves to the number of events that failed. */
  private async submitAll(site: string, events: readonly TrackedEvent[]): Promise<number> {
    let failed = 0;
    await this.eachLimited(events, async (event) => {
      try {
        await this.submit({ site, visitor: event.visitor }, event);
      } catch (error) {
        failed++;
        this.deps.logger.error({ err: error, visitor: event.visitor, event: event.id }, 'catalogue event failed');
      }
    });
    return failed;
  }

  private submit(visitor: VisitorRef, event: TrackedEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const now = this.deps.clock.now();
      const processed = this.deps.intake.process({
        visitor,
        events: [event],
        receivedAt: now,
        reply: {
          ack: () => resolve(),
          fail: (code, message) => reject(new Error(`the pipeline failed the event: ${code}: ${message}`)),
        },
      });
      processed.then(
        () => resolve(),
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    });
  }

  private async eachLimited<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) await work(items[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, items.length) }, worker));
  }
}
