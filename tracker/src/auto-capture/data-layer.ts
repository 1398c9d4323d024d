import { ga4Events } from './ga4-events.js';
import type { CaptureEvent } from './record.js';

type Layer = unknown[] & { twCaptured?: true };

/**
 * Maps the GA4 e-commerce events a site pushes to `window.dataLayer` (Google Tag Manager's
 * `{event, ecommerce}`, or gtag's `arguments` of `gtag('event', name, params)`) to Tripwire
 * events: those pushed before tw-capture.js arrived, then each new push, each exactly once.
 */
export function captureDataLayer(record: CaptureEvent): void {
  const page = window as unknown as { dataLayer?: Layer };
  const layer = (page.dataLayer = page.dataLayer || []);
  if (!Array.isArray(layer) || layer.twCaptured) return;
  layer.twCaptured = true;
  const read = (entry: unknown): void => {
    for (const [type, props] of eventsOf(entry)) record(type, props);
  };
  const push = layer.push;
  // Tag Manager wraps push the same way when it loads later, and calls this one: both see every entry.
  layer.push = function (this: Layer, ...entries: unknown[]) {
    const length = push.apply(this, entries);
    entries.forEach(read);
    return length;
  };
  layer.slice().forEach(read);
}

function eventsOf(entry: unknown): ReturnType<typeof ga4Events> {
  if (!entry || typeof entry !== 'object') return [];
  const pushed = entry as Record<string, unknown> & ArrayLike<unknown>;
  if (typeof pushed.length === 'number') {
    // gtag('event', name, params) pushes its arguments object.
    return pushed[0] === 'event' && typeof pushed[1] === 'string' ? ga4Events(pushed[1], (pushed[2] || {}) as Record<string, unknown>) : [];
  }
  // Tag Manager: {event, ecommerce: {items, value...}}; a search's search_term sits beside event.
  return typeof pushed.event === 'string' ? ga4Events(pushed.event, Object.assign({}, pushed, pushed.ecommerce)) : [];
}
