import { Registry } from 'prom-client';
import type { ManualClock } from '../../events/index.js';
import { createLogger, createMetrics } from '../../observability/index.js';
import { DeliveryPolicy, ScenarioEvaluator, type Channel, type ChannelCap, type PolicyOptions, type Scenario } from '../../scenarios/index.js';
import type { WindowStore } from '../../state/index.js';
import type { EmailPort, PopinPort, SiteProfile, WebhookPort } from '../ports.js';
import { TriggerPipeline } from '../trigger-pipeline.js';
import { CollectingSink } from './collecting-sink.js';
import { EventReplay } from './event-replay.js';

export interface ReplayPipelineOptions {
  scenarios: readonly Scenario[];
  store: WindowStore;
  clock: ManualClock;
  sites: readonly SiteProfile[];
  caps: Record<Channel, ChannelCap>;
  /** Channels default to ones that accept everything and deliver nothing. */
  popins?: PopinPort;
  emails?: EmailPort;
  webhooks?: WebhookPort;
  /** The policy a site's firings go through; default a DeliveryPolicy with `caps`. */
  policy?: (site: SiteProfile, options: PolicyOptions) => DeliveryPolicy;
}

export interface ReplayPipeline {
  pipeline: TriggerPipeline;
  replay: EventReplay;
  /** Every row the replay recorded. */
  sink: CollectingSink;
}

/** The live pipeline wired for a replay: virtual clock, rows kept in memory, no metrics or logs. */
export function createReplayPipeline(options: ReplayPipelineOptions): ReplayPipeline {
  const sink = new CollectingSink();
  const evaluator = new ScenarioEvaluator(options.scenarios);
  const policy = options.policy ?? ((_site, policyOptions) => new DeliveryPolicy(policyOptions));
  const sites = new Map(
    options.sites.map((profile) => [profile.key, { profile, policy: policy(profile, { caps: options.caps, requireVerifiedEmail: profile.requireVerifiedEmail }) }]),
  );
  const pipeline = new TriggerPipeline(
    {
      scenarios: { current: () => evaluator },
      store: options.store,
      sink,
      clock: options.clock,
      logger: createLogger('silent'),
      metrics: createMetrics(new Registry(), false),
      popins: options.popins ?? { show: async () => 'sent' },
      emails: options.emails ?? { enqueue: async () => undefined },
      webhooks: options.webhooks ?? { enqueue: async () => undefined },
      sites,
    },
    { batchSize: 1, batchesInFlight: 1, timerPollInterval: 60_000, timerBatch: 1000 },
  );
  return { pipeline, replay: new EventReplay(pipeline, options.clock), sink };
}
