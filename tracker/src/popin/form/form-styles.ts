/**
 * Form styles, a constructed stylesheet like the pop-in's own (popin/styles.ts), so a strict CSP
 * still applies them. The submit button reuses the pop-in's .cta look.
 */
const CSS =
  '.f{display:grid;gap:8px;margin:0 0 12px;padding:0;border:0;min-width:0}' +
  'legend{padding:0;margin-bottom:8px;font-weight:600}label{font-weight:600}' +
  'input{font:inherit;color:inherit}#e{width:100%;padding:8px 10px;border:1px solid #767676;border-radius:6px;background:#fff}' +
  '#e[aria-invalid]{border-color:#b00020}.m{color:#b00020;font-size:13px}.m:empty{margin-bottom:-8px}' +
  '.c{display:flex;gap:8px;align-items:flex-start;font-weight:400;font-size:13px}.c input{margin-top:3px}' +
  'button.cta{border:0;font:inherit;cursor:pointer;justify-self:start}' +
  '.o{padding:9px 14px;border:1px solid #767676;border-radius:6px;background:#fff;font:inherit;color:inherit;text-align:left;cursor:pointer}' +
  '.o:hover{border-color:var(--tw-accent,#111)}.k{margin:0 0 12px;font-weight:600;outline:0}' +
  '.f :focus-visible{outline:2px solid var(--tw-accent,#111);outline-offset:2px}';

let shared: CSSStyleSheet | null = null;

export function formSheet(): CSSStyleSheet {
  if (!shared) {
    shared = new CSSStyleSheet();
    shared.replaceSync(CSS);
  }
  return shared;
}
