export interface RetrySchedule {
  /** Tries in all, the first included; after the last failure the job is dead-lettered. */
  attempts: number;
  /** Wait before the second try; each later wait doubles, up to `maxDelay`. */
  baseDelay: number;
  maxDelay: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { attempts: 5, baseDelay: 30_000, maxDelay: 3_600_000 };

/** Wait before try number `attempt + 1` after try `attempt` failed (attempt counts from 1). */
export function retryDelay(schedule: RetrySchedule, attempt: number): number {
  return Math.min(schedule.maxDelay, schedule.baseDelay * 2 ** Math.max(0, attempt - 1));
}
