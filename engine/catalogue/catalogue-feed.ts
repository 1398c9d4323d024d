import type { Clock } from '../events/index.js';
import type { Logger } from '../observability/index.js';
import type { CatalogueFanOut, FanOutReport } from './catalogue-fan-out.js';
import type { CatalogueMirror } from './catalogue-mirror.js';
import type { CatalogueStore } from './catalogue-store.js';
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

/** What a feed update does, whichever way it came in: store the rows, detect changes, fan them out. */
export class CatalogueFeed {
  constructor(private readonly deps: CatalogueFeedDeps) {}

  async update(site: string, updates: readonly ProductUpdate[]): Promise<FeedResult> {
    const { store, mirror, fanOut, clock, logger } = this.deps;
    const result = await store.upsert(site, updates, clock.now());
    mirror.remember(site, result.products);
    const fanned = await fanOut.deliver(result.changes);
    logger.info(
      { site, created: result.created, updated: result.updated, unchanged: result.unchanged, changes: result.changes.length, events: fanned.events },
      'catalogue updated',
    );
    return { created: result.created, updated: result.updated, unchanged: result.unchanged, changes: result.changes, fanOut: fanned };
  }
}
