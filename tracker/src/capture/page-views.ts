import type { RecordEvent } from '../page-tw.js';

/** The engine's bound on a string of an event (WIRE_LIMITS.stringMaxLength): a longer one gets the event rejected. */
export const STRING_MAX = 2048;

/**
 * Page views: one on load and one per single-page-app route change (history.pushState,
 * replaceState, popstate, hashchange). A change that keeps the URL (replaceState to the same URL)
 * is not a new page. Returns the function `tw('page')` calls, which always records.
 */
export function trackPageViews(record: RecordEvent, automatic: boolean): () => void {
  let last = '';
  const view = (): void => {
    const ref = last || document.referrer;
    last = location.href;
    record('page', { title: document.title.slice(0, STRING_MAX), ref: ref.slice(0, STRING_MAX) });
  };
  if (automatic) {
    const routed = (): void => {
      if (location.href !== last) view();
    };
    for (const method of ['pushState', 'replaceState'] as const) {
      const original = history[method];
      history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
        original.apply(this, args);
        routed();
      };
    }
    addEventListener('popstate', routed);
    addEventListener('hashchange', routed);
    view();
  }
  return view;
}
