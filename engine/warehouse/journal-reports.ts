import { TripwireError } from '../errors.js';

/**
 * How the warehouse journal calls what it reports to (its option callbacks: the sink's batches,
 * the log, the metrics), so that one that throws cannot break an append: the append completes,
 * and the throw, a defect of whoever passed the callback (a logger whose stream closed, say), is
 * reported through onError as TW_INTERNAL with what it cost, as RxJS routes an operator's throw
 * to the error channel.
 */
export class JournalReports {
  constructor(private readonly onError: (error: TripwireError) => void) {}

  /** Runs the callback named `callback`; false when it threw, `cost` saying what that lost. */
  call(callback: string, run: () => void, cost: string): boolean {
    try {
      run();
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.error(new TripwireError('TW_INTERNAL', `The warehouse journal's ${callback} threw: ${message}. The journal went on; ${cost}`, { cause: error }));
      return false;
    }
  }

  /**
   * onError, which must not throw. If it does, nothing is left to report to: its error is thrown
   * out of the event loop (an uncaught exception, as RxJS does with an error that has nowhere to
   * go) once the append under way is resolved and its waiters resumed, never as a rejection of
   * the append.
   */
  error(error: TripwireError): void {
    try {
      this.onError(error);
    } catch (failure) {
      setImmediate(() => {
        throw new AggregateError([failure, error], `The warehouse journal's onError threw while reporting ${error.code}`);
      });
    }
  }
}
