/**
 * Pop-in styles, adopted by each shadow root as a constructed stylesheet: a CSP without
 * 'unsafe-inline' in style-src still applies them (no <style> element, no style attribute).
 * `all: initial` on :host, !important, stops the site's CSS from reaching in through the host
 * (important declarations from a shadow tree win over the page's). --tw-accent themes the CTA.
 */
const CSS =
  ':host{all:initial!important;display:block!important}' +
  '.w{position:fixed;z-index:2147483647;right:16px;bottom:16px;width:min(360px,calc(100vw - 32px));font:15px/1.45 system-ui,sans-serif;color:#111}' +
  '.bar{inset:0 0 auto;width:auto}' +
  '.modal{inset:0;width:auto;display:grid;place-items:center;padding:16px;background:#0008}' +
  '.d{position:relative;max-width:480px;max-height:calc(100vh - 32px);overflow:auto;padding:20px 48px 20px 20px;' +
  'background:#fff;border-radius:10px;box-shadow:0 8px 30px #0004;outline:0}' +
  '.bar .d{display:flex;flex-wrap:wrap;align-items:center;gap:4px 16px;max-width:none;padding:10px 48px 10px 16px;border-radius:0}' +
  '*{box-sizing:border-box;margin:0}h2{font-size:17px}p{margin:6px 0 12px}.bar p{margin:0}' +
  'img{display:block;max-width:100%;max-height:180px;margin-bottom:12px}' +
  '.cta{display:inline-block;padding:9px 16px;border-radius:6px;background:var(--tw-accent,#111);color:#fff;font-weight:600;text-decoration:none}' +
  '.x{position:absolute;top:6px;right:6px;width:36px;height:36px;border:0;background:none;color:inherit;font-size:22px;cursor:pointer}' +
  '@keyframes in{from{opacity:0;transform:translateY(8px)}}' +
  '@media (prefers-reduced-motion:no-preference){.d{animation:in .2s}}';

let shared: CSSStyleSheet | null = null;

/** The toast is the default position (.w); .modal and .bar override it. One sheet for every pop-in of the page. */
export function popinSheet(): CSSStyleSheet {
  if (!shared) {
    shared = new CSSStyleSheet();
    shared.replaceSync(CSS);
  }
  return shared;
}
