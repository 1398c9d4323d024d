import { Subscription, exhaustMap, from, timer } from 'rxjs';
import type { Clock, Props, VisitorRef } from '../events/index.js';
import type { Logger } from '../observability/index.js';
import type { ScenarioSource } from '../pipeline/index.js';
import { scheduleOccurrence, type Candidate, type Scenario, type ScheduleTrigger } from '../scenarios/index.js';
import { CLAIM_GRANTED, type VisitorSnapshot, type WindowStore } from '../state/index.js';
import { shippedQuery, type AudienceSuppressions, type WarehouseBackend } from '../warehouse/index.js';
import { audienceProblem } from './audience-check.js';

/** Where a scheduled firing goes: the pipeline's delivery path, with its policies and channels. */
export interface ScheduledDelivery {
  deliverScheduled(visitor: VisitorRef, candidates: readonly Candidate[], snapshot: VisitorSnapshot): Promise<void>;
}

export interface SegmentSchedulerDeps {
  scenarios: ScenarioSource;
  store: WindowStore;
  warehouse: WarehouseBackend;
  /** The mailer's suppression list: audiences leave its addresses out. */
  suppressions: AudienceSuppressions;
  delivery: ScheduledDelivery;
  /** Site keys: each schedule sends to each site's own audience. */
  sites: readonly string[];
  clock: Clock;
  logger: Logger;
}

export interface SegmentSchedulerOptions {
  /** How often due sends are looked for, ms; 0 runs them only when runDue() is called. */
  pollInterval: number;
  /** Audience members handed to delivery at once. */
  batch: number;
}

/** What one scheduled send did, for logs and tests. */
export interface MulticastRun {
  scenario: string;
  site: string;
  occurrence: number;
  /** Visitors the audience query returned. */
  audience: number;
  /** Of them, visitors whose delivery failed (logged); the others went through the delivery policies. */
  failed: number;
}

/** The store's visitor that holds a site's schedule gates; no tracker makes such an id. */
const SCHEDULE_HOLDER = '~schedule';
const DAY_MS = 86_400_000;

/**
 * Runs scheduled sends to segments: for each schedule scenario, the current occurrence is claimed
 * once across every engine sharing the store, then the audience query runs on the warehouse and
 * each member becomes a candidate on the same delivery path as any firing (consent, caps,
 * cooldown, control group, priority, email personalisation). A send is at most once per
 * occurrence: an engine that dies mid-send leaves the rest of that audience unsent.
 */
export class SegmentScheduler {
  private subscription: Subscription | undefined;
  private run: Promise<MulticastRun[]> | undefined;

  constructor(
    private readonly deps: SegmentSchedulerDeps,
    private readonly options: SegmentSchedulerOptions,
  ) {}

  start(): void {
    if (this.options.pollInterval <= 0) return;
    this.subscription = timer(0, this.options.pollInterval)
      .pipe(exhaustMap(() => from(this.runDue().catch((error: unknown) => this.deps.logger.error({ err: error }, 'scheduled sends failed; retrying at the next poll')))))
      .subscribe();
  }

  /** Sends every occurrence that is due and not yet claimed; resolves with what was sent. */
  async runDue(): Promise<MulticastRun[]> {
    const run = this.sendDue();
    this.run = run;
    try {
      return await run;
    } finally {
      if (this.run === run) this.run = undefined;
    }
  }

  /** Stops polling and waits for the send under way. */
  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    // Its failures were logged (or went to the runDue caller); here it is only awaited.
    await this.run?.catch(() => undefined);
  }

  private async sendDue(): Promise<MulticastRun[]> {
    const now = this.deps.clock.now();
    const runs: MulticastRun[] = [];
    for (const scenario of this.deps.scenarios.current().scenarios) {
      const trigger = scenario.trigger;
      if (trigger.kind !== 'schedule') continue;
      const problem = audienceProblem(trigger);
      if (problem !== undefined) {
        this.deps.logger.error({ scenario: scenario.id, source: scenario.source, problem }, 'schedule skipped: its audience cannot run');
        continue;
      }
      const occurrence = scheduleOccurrence(trigger, now);
      if (occurrence === undefined) continue;
      for (const site of this.deps.sites) {
        const restricted = trigger.audience.params.site;
        if (restricted !== undefined && restricted !== site) continue;
        if (!(await this.claim(scenario, trigger, site, occurrence, now))) continue;
        runs.push(await this.send(scenario, trigger, site, occurrence));
      }
    }
    return runs;
  }

  /** One engine wins each occurrence; the gate outlives the period, as a period across a DST change is an hour longer. */
  private async claim(scenario: Scenario, trigger: ScheduleTrigger, site: string, occurrence: number, now: number): Promise<boolean> {
    const [outcome] = await this.deps.store.claim({
      visitor: { site, visitor: SCHEDULE_HOLDER },
      now,
      claims: [{ checks: [{ kind: 'gate', key: `sched:${scenario.id}:${occurrence}`, ttl: trigger.every + DAY_MS }] }],
    });
    return outcome === CLAIM_GRANTED;
  }

  private async send(scenario: Scenario, trigger: ScheduleTrigger, site: string, occurrence: number): Promise<MulticastRun> {
    const { logger } = this.deps;
    const params = { ...trigger.audience.params, site };
    // The audience as of the occurrence: two engines, or a late run, pick the same visitors.
    const rows = (await shippedQuery(trigger.audience.query).run(this.deps.warehouse, params, occurrence, this.deps.suppressions)) as Array<Record<string, unknown>>;
    const members = rows.filter((row) => typeof row.visitor_id === 'string' && row.visitor_id !== '');
    let failed = 0;
    for (let start = 0; start < members.length; start += this.options.batch) {
      const batch = members.slice(start, start + this.options.batch);
      const outcomes = await Promise.allSettled(batch.map((row) => this.deliverTo(scenario, site, occurrence, params, row)));
      outcomes.forEach((outcome, i) => {
        if (outcome.status === 'fulfilled') return;
        failed++;
        logger.error({ err: outcome.reason, scenario: scenario.id, site, visitor: batch[i]!.visitor_id }, 'scheduled send to a visitor failed');
      });
    }
    const run: MulticastRun = { scenario: scenario.id, site, occurrence, audience: members.length, failed };
    logger.info({ ...run, occurrence: new Date(occurrence).toISOString() }, 'scheduled send done');
    return run;
  }

  private async deliverTo(scenario: Scenario, site: string, occurrence: number, params: Record<string, string>, row: Record<string, unknown>): Promise<void> {
    const visitor: VisitorRef = { site, visitor: row.visitor_id as string };
    const id = `schedule:${occurrence}`;
    const candidate: Candidate = {
      scenario,
      eventId: id,
      time: occurrence,
      // Templates read the audience's parameters (the category) and the visitor's row (views, cart value).
      context: { scenario: { id: scenario.id, name: scenario.name }, event: { id, type: 'schedule', time: occurrence, url: '' }, props: { ...params, ...row } as Props },
      variant: undefined,
      step: 0,
      claimed: false,
      failures: 0,
    };
    const snapshot = await this.deps.store.snapshot(visitor);
    await this.deps.delivery.deliverScheduled(visitor, [candidate], snapshot);
  }
}
