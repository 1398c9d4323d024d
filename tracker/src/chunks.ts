/**
 * Loads a chunk of the tracker (tw-ui.js, tw-form.js, tw-capture.js, tw-post.js) from next to
 * tw.js; resolves once it ran or failed to load.
 */
export type LoadChunk = (name: string) => Promise<unknown>;

/**
 * Chunks keep the bytes every page view pays small: pop-in rendering, forms and automatic
 * capture are fetched only by the pages that need them, each at most once.
 */
export function chunkLoader(script: HTMLScriptElement): LoadChunk {
  const loading: Record<string, Promise<unknown>> = {};
  return (name) =>
    loading[name] ||
    (loading[name] = new Promise((done) => {
      const chunk = document.createElement('script');
      chunk.src = new URL(name, script.src).href;
      // A nonce-based CSP ('strict-dynamic') trusts the chunk only with the nonce tw.js itself carried.
      chunk.nonce = script.nonce || '';
      chunk.onload = done;
      // A chunk that failed is fetched again by the next call: the engine may have been
      // unreachable for a moment only (tw-post.js is wanted precisely when the network is bad).
      chunk.onerror = () => done(delete loading[name]);
      document.head.appendChild(chunk);
    }));
}
