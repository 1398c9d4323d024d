import { Observable, type OperatorFunction } from 'rxjs';

/**
 * Gathers the values that arrive during one event-loop turn into one array, emitted from
 * setImmediate, at most `max` to an array (a full array leaves at once). uWebSockets.js drains
 * microtasks after every message callback, so a microtask would see one frame at a time, while
 * setImmediate runs after the poll phase has delivered every frame read in it. Downstream then
 * pays for one subscription per turn instead of one per frame.
 */
export function turnBatches<T>(max: number): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      let scheduled: NodeJS.Immediate | undefined;
      const flush = (): void => {
        if (scheduled !== undefined) clearImmediate(scheduled);
        scheduled = undefined;
        const full = batch;
        batch = [];
        subscriber.next(full);
      };
      const subscription = source.subscribe({
        next: (value) => {
          batch.push(value);
          if (batch.length >= max) flush();
          else scheduled ??= setImmediate(flush);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          if (batch.length > 0) flush();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        if (scheduled !== undefined) clearImmediate(scheduled);
      };
    });
}
