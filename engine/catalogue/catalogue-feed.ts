import type { Clock } from '../events/index.js';
import type { Logger } from '../observability/index.js';
import type { CatalogueFanOut, FanOutReport } from './catalogue-fan-out.js';
import type { CatalogueMirror } from './catalogue-mirror.js';
import type { CatalogueStore } from './catalogue-store.js';
import { changeId } from './pending-fan-outs.js';
import type { CatalogueChange, ProductUpdate } from './product.js';

export interface FeedResult {
  created: number;
  updated: number;
  unchanged: number;
  changes: CatalogueChange[];
  fanOut: FanOutReport;
}

export interface CatalogueFeedDeps {
  store: CatalogueStore;
  mirror: CatalogueMirror;
  fanOut: CatalogueFanOut;
  clock: Clock;
  logger: Logger;
}

/**
 * What a feed update does, whichever way it came in: store the rows, detect changes, fan them
 * out. The store records each fan-out as pending with the write; it is marked delivered only once
 * every event of it was processed. A fan-out that failed (the pipeline or the store did not
 * answer) stays pending and goes again with the site's next update, a resend included (which
 * would otherwise see the product unchanged), when an engine resumes, and at each retry of
 * retryPending. Its events keep their ids, so visitors already told are not told twice.
 */
export class CatalogueFeed {
  constructor(private readonly deps: CatalogueFeedDeps) {}

  async update(site: string, updates: readonly ProductUpdate[]): Promise<FeedResult> {
    const { store, mirror, clock, logger } = this.deps;
    const result = await store.upsert(site, updates, clock.now());
    mirror.remember(site, result.products);
    const fanned = await this.deliverPending(site);
    logger.info(
      { site, created: result.created, updated: result.updated, unchanged: result.unchanged, changes: result.changes.length, events: fanned.events },
      'catalogue updated',
    );
    return { created: result.created, updated: result.updated, unchanged: result.unchanged, changes: result.changes, fanOut: fanned };
  }

  /** Delivers the fan-outs a stopped or failing engine left pending (at engine start). */
  async resume(sites: readonly string[]): Promise<FanOutReport> {
    const report: FanOutReport = { events: 0, failed: 0 };
    for (const site of sites) {
      const fanned = await this.deliverPending(site);
      report.events += fanned.events;
      report.failed += fanned.failed;
    }
    if (report.events > 0) this.deps.logger.info({ ...report }, 'pending catalogue fan-outs delivered');
    return report;
  }

  /**
   * Tries the sites' pending fan-outs again every `everyMs`, so one that failed does not wait for
   * its site's next update (a site may send none for days). One round at a time: a round still
   * under way when the next is due lets it pass.
   */
  retryPending(sites: readonly string[], everyMs: number): { stop(): void } {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.resume(sites)
        .catch((error: unknown) => this.deps.logger.error({ err: error }, 'pending catalogue fan-outs could not be delivered; tried again at the next interval'))
        .finally(() => (running = false));
    }, everyMs);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }

  /** One change at a time, so each is marked delivered as soon as every event of its fan-out was processed. */
  private async deliverPending(site: string): Promise<FanOutReport> {
    const { store, fanOut } = this.deps;
    const report: FanOutReport = { events: 0, failed: 0 };
    for (const change of await store.pendingFanOuts(site)) {
      const fanned = await fanOut.deliver([change]);
      report.events += fanned.events;
      report.failed += fanned.failed;
      if (fanned.failed === 0) await store.fanOutDelivered(site, [changeId(change)]);
    }
    return report;
  }
}
