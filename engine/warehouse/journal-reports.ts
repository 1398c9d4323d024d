import { TripwireError } from '../errors.js';

/**
 * How the warehouse journal calls what it reports to (its option callbacks: the sink's batches,
 * the log, the metrics), so that one that throws cannot break an append: the append completes,
 * and the throw, a defect of whoever passed the callback (a logger whose stream closed, say), is
 * reported through onError as TW_INTERNAL with what it cost, as RxJS routes an operator's throw
 * to the error channel.
 */
export class JournalReports<Callback extends string> {
  constructor(private readonly onError: (error: TripwireError) => void) {}

  /** Runs the callback named `callback`; false when it threw, `cost` saying what that lost. */
  call(callback: Callback, run: () => void, cost: string): boolean {
    try {
      run();
      return true;
    } catch (error) {
      const message = describeThrown(error);
      this.error(new TripwireError('TW_INTERNAL', `The warehouse journal's ${callback} threw: ${message}. The journal went on; ${cost}`, { cause: error }));
      return false;
    }
  }

  /**
   * onError, which must not throw. If it does, nothing is left to report to: its error is thrown
   * out of the event loop at the next turn (an uncaught exception, as RxJS does with an error that
   * has nowhere to go), never as a rejection of the append. False then: the engine is about to
   * stop, so a caller holding rows in memory only must not declare them over (their frames would
   * be acknowledged, then lost with the process).
   */
  error(error: TripwireError): boolean {
    try {
      this.onError(error);
      return true;
    } catch (failure) {
      setImmediate(() => {
        throw new AggregateError([failure, error], `The warehouse journal's onError threw while reporting ${error.code}`);
      });
      return false;
    }
  }
}

/** A thrown value as text, whatever it is: one without a string form must not break the report of it. */
function describeThrown(thrown: unknown): string {
  try {
    return thrown instanceof Error ? thrown.message : String(thrown);
  } catch {
    return 'a value with no text form';
  }
}
