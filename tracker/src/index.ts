/**
 * tw.js: the browser tracker. The site pastes snippet(): a stub `tw` that queues calls, then this
 * script (async). Here the stub is replaced by the real `tw`, and the queued calls replay in order.
 */
import { pageGlobals } from './page-tw.js';
import { readSettings } from './settings.js';
import { startTracker } from './tracker.js';

const stub = pageGlobals.tw;
const settings = stub && stub.loaded ? null : readSettings(document.currentScript as HTMLScriptElement | null);
if (settings) {
  const tw = startTracker(settings);
  pageGlobals.tw = tw;
  for (const args of (stub && stub.q) || []) tw.apply(null, args as Parameters<typeof tw>);
}
