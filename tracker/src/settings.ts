/** What the pasted snippet's script tag says (see snippet.ts and docs/tracker.md). */
export interface Settings {
  /** tw.js's own tag: its src gives the engine's origin and where tw-ui.js sits; its nonce is reused. */
  script: HTMLScriptElement;
  site: string;
  /** data-auto="0": the site records page views itself. */
  automaticPages: boolean;
  /** data-consent="required": nothing is stored or sent before tw('consent', {...: true}). */
  consentRequired: boolean;
}

interface PrivacySignals {
  doNotTrack?: string | null;
  globalPrivacyControl?: boolean;
}

/** The settings, or null when the tracker must stay inert (no site key, or DNT/GPC honoured). */
export function readSettings(script: HTMLScriptElement | null): Settings | null {
  const data = script ? script.dataset : {};
  if (!script || !data.site) {
    if (TW_DEV) console.warn('[tripwire] tw.js needs its script tag to carry data-site="<site key>"');
    return null;
  }
  const signals = navigator as PrivacySignals;
  if (data.respectDnt === '1' && (signals.doNotTrack === '1' || signals.globalPrivacyControl)) return null;
  return { script, site: data.site, automaticPages: data.auto !== '0', consentRequired: data.consent === 'required' };
}
