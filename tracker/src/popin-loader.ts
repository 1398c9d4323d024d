import type { PopinMessage } from '../../engine/protocol/index.js';
import { pageGlobals } from './page-tw.js';
import type { ReportPopin } from './page-tw.js';

/**
 * Shows pop-ins, fetching the renderer (tw-ui.js, next to tw.js) on the first one only:
 * most page views never show a pop-in, so they never pay for the renderer's bytes.
 */
export function popinLoader(rendererUrl: string, nonce: string, report: ReportPopin): (message: PopinMessage) => void {
  let waiting: PopinMessage[] | null = null;
  return (message) => {
    const render = pageGlobals.tw && pageGlobals.tw.ui;
    if (render) return render(message, report);
    if (waiting) return void waiting.push(message);
    const queued = (waiting = [message]);
    const script = document.createElement('script');
    script.src = rendererUrl;
    // A nonce-based CSP ('strict-dynamic') trusts this script only with the nonce tw.js itself carried.
    script.nonce = nonce;
    script.onload = script.onerror = () => {
      waiting = null;
      const loaded = pageGlobals.tw && pageGlobals.tw.ui;
      if (loaded) queued.forEach((each) => loaded(each, report));
      else if (TW_DEV) console.warn('[tripwire] could not load the pop-in renderer from ' + rendererUrl);
    };
    document.head.appendChild(script);
  };
}
