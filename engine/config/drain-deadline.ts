import type { Logger } from '../observability/index.js';

/**
 * The one time budget of a graceful stop's drain, shared by every step of it (scheduled sends,
 * fan-outs, the pipeline's frames in flight): a store that no longer answers must not keep the
 * process from exiting. Real time, not the engine's Clock: a virtual clock would never end it.
 */
export class DrainDeadline {
  private endsAt: number | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** Starts the budget, if no step has started it yet. */
  start(): void {
    this.endsAt ??= Date.now() + this.timeoutMs;
  }

  /**
   * Waits for `work` while the budget lasts; past it, logs and resolves so that the stop goes on
   * (the work is left to fail against the components closed under it, its failure logged).
   */
  async within(step: string, work: Promise<void>): Promise<void> {
    this.start();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), Math.max(0, this.endsAt! - Date.now()));
    });
    try {
      const outcome = await Promise.race([work.then(() => 'done' as const), expired]);
      if (outcome === 'done') return;
      this.logger.warn({ step, drainTimeoutMs: this.timeoutMs }, 'graceful stop: the drain timed out; closing anyway, clients resend what was not acked');
      work.catch((error: unknown) => this.logger.error({ err: error, step }, 'graceful stop: a step cut off by the drain timeout failed'));
    } finally {
      clearTimeout(timer);
    }
  }
}
