import type { Clock } from '../events/index.js';
import type { EventSink } from '../warehouse/index.js';

/** The trigger a delivery row is about. */
export interface DeliveryRef {
  trigger: string;
  site: string;
  visitor: string;
  scenario: string;
}

/**
 * Email states as the warehouse's deliveries table holds them: queued, failed, retried, dead,
 * suppressed and sent from the mailer; opened, clicked and unsubscribed from the links.
 */
export type EmailDeliveryStatus = 'queued' | 'sent' | 'failed' | 'retried' | 'dead' | 'suppressed' | 'opened' | 'clicked' | 'unsubscribed';

/** Writes one deliveries row per email state change. */
export class DeliveryLog {
  constructor(
    private readonly sink: EventSink,
    private readonly clock: Clock,
  ) {}

  /**
   * The journal append of the rows recorded so far (EventSink.whenDurable): whoever commits the
   * state a row records (a queue ack) waits for it, or a crash in between would lose the row.
   */
  whenDurable(): Promise<void> | undefined {
    return this.sink.whenDurable();
  }

  /** `occurrence` tells repeated rows of one state apart: the attempt number, or a time for opens and clicks. */
  record(ref: DeliveryRef, status: EmailDeliveryStatus, detail: string, occurrence: number | string = 1): void {
    this.sink.write('deliveries', {
      delivery_id: `${ref.trigger}:${status}:${occurrence}`,
      trigger_id: ref.trigger,
      site: ref.site,
      visitor_id: ref.visitor,
      scenario_id: ref.scenario,
      channel: 'email',
      status,
      detail,
      time: this.clock.now(),
    });
  }
}
