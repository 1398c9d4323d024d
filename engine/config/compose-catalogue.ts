import {
  CatalogueApi,
  CatalogueFanOut,
  CatalogueFeed,
  CatalogueMirror,
  InterestTracker,
  seedCatalogue,
  type CatalogueStore,
} from '../catalogue/index.js';
import { MemoryCatalogueStore } from '../catalogue/memory/index.js';
import { RedisCatalogueStore } from '../catalogue/redis/index.js';
import type { Clock } from '../events/index.js';
import type { Logger } from '../observability/index.js';
import type { TriggerPipeline } from '../pipeline/index.js';
import { MemoryInterestIndex, type InterestIndex, type WindowStore } from '../state/index.js';
import { RedisWindowStore } from '../state/redis/index.js';
import type { TripwireConfig } from './schema.js';

/** The engine's product catalogue: store, in-process mirror, interest index; the feed once the pipeline exists. */
export interface ComposedCatalogue {
  store: CatalogueStore;
  mirror: CatalogueMirror;
  interests: InterestIndex;
  tracker: InterestTracker;
  connect(pipeline: TriggerPipeline): { feed: CatalogueFeed; fanOut: CatalogueFanOut; api: CatalogueApi };
  close(): Promise<void>;
}

export interface CatalogueDeps {
  store: WindowStore;
  clock: Clock;
  logger: Logger;
  /** The demo catalogue's products, added to the demo site's catalogue (the only site when the demo is on) where missing. */
  demo: ReadonlyArray<{ id: string; name: string; price: number; category: string; stock: 'in_stock' | 'out_of_stock'; url: string; image: string }> | undefined;
}

/** On Redis when REDIS_URL is set (the interest index on the window store's connection), else in process. */
export async function composeCatalogue(config: TripwireConfig, deps: CatalogueDeps): Promise<ComposedCatalogue> {
  const { clock, logger } = deps;
  const settings = config.catalogue;
  const bounds = { maxVisitorsPerProduct: settings.maxInterestedVisitors, maxAge: settings.interestMaxAge };
  const interests = deps.store instanceof RedisWindowStore ? deps.store.interestIndex(bounds) : new MemoryInterestIndex(bounds);
  const store: CatalogueStore = config.store.redisUrl
    ? await RedisCatalogueStore.connect(config.store.redisUrl, {
        prefix: config.store.prefix,
        cluster: config.store.redisCluster,
        onError: (error) => logger.warn({ err: error }, 'catalogue Redis connection error; reconnecting'),
      })
    : new MemoryCatalogueStore();
  const sites = config.sites.map((site) => site.key);
  const mirror = new CatalogueMirror(store, sites[0]!);
  let refresher: NodeJS.Timeout | undefined;
  try {
    if (deps.demo !== undefined) await seedCatalogue(store, mirror, sites[0]!, deps.demo, clock.now());
    await mirror.refresh(sites);
  } catch (error) {
    await store.close();
    throw error;
  }
  if (config.store.redisUrl) {
    // Other engines sharing the store write to it too.
    refresher = setInterval(() => {
      mirror.refresh(sites).catch((error: unknown) => logger.error({ err: error }, 'catalogue refresh failed; retrying at the next interval'));
    }, settings.refreshInterval);
    refresher.unref();
  }
  let retries: { stop(): void } | undefined;
  return {
    store,
    mirror,
    interests,
    tracker: new InterestTracker({ index: interests, logger }),
    connect: (pipeline) => {
      const fanOut = new CatalogueFanOut(
        { index: interests, store: deps.store, intake: pipeline, clock, logger },
        { viewedWithin: settings.viewedWithin, concurrency: settings.fanOutConcurrency },
      );
      const feed = new CatalogueFeed({ store, mirror, fanOut, clock, logger });
      // Fan-outs a stopped or failing engine left pending go out now, not only with their site's next update.
      feed.resume(sites).catch((error: unknown) =>
        logger.error({ err: error }, "pending catalogue fan-outs could not be delivered; they are tried again with their site's next update"),
      );
      retries = feed.retryPending(sites, settings.fanOutRetryInterval);
      const secrets = new Map(config.sites.map((site) => [site.key, site.secret]));
      const api = new CatalogueApi({ feed, store, secrets, clock }, { maxBodyBytes: settings.maxRequestBytes, signatureTolerance: settings.signatureTolerance });
      return { feed, fanOut, api };
    },
    close: async () => {
      clearInterval(refresher);
      retries?.stop();
      await store.close();
    },
  };
}
