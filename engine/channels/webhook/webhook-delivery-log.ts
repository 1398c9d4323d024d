import type { Clock } from '../../events/index.js';
import type { EngineMetrics } from '../../observability/index.js';
import type { EventSink } from '../../warehouse/index.js';
import type { WebhookJob } from './webhook-job.js';

export type WebhookDeliveryStatus = 'queued' | 'retried' | 'sent' | 'dead';

/** One deliveries row and one `tripwire_deliveries_total{channel="webhook"}` count per state change. */
export class WebhookDeliveryLog {
  constructor(
    private readonly sink: EventSink,
    private readonly metrics: Pick<EngineMetrics, 'deliveries'>,
    private readonly clock: Clock,
  ) {}

  /**
   * The journal append of the rows recorded so far (EventSink.whenDurable): whoever commits the
   * state a row records (a queue ack) waits for it, or a crash in between would lose the row.
   */
  whenDurable(): Promise<void> | undefined {
    return this.sink.whenDurable();
  }

  /** `occurrence` tells the repeated rows of one state apart (a retry's attempt number). */
  record(job: WebhookJob, status: WebhookDeliveryStatus, detail: string, occurrence?: number): void {
    this.metrics.deliveries.inc({ channel: 'webhook', status });
    this.sink.write('deliveries', {
      delivery_id: occurrence === undefined ? `${job.id}:${status}` : `${job.id}:${status}:${occurrence}`,
      trigger_id: job.id,
      site: job.site,
      visitor_id: job.visitor,
      scenario_id: job.scenario,
      channel: 'webhook',
      status,
      detail,
      time: this.clock.now(),
    });
  }
}
