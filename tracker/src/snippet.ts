/** The inline stub: `tw(...)` calls made before tw.js arrives are queued in tw.q and replayed in order. */
export const SNIPPET_STUB = 'window.tw=window.tw||function(){(tw.q=tw.q||[]).push(arguments)};';

/**
 * CSP source allowing the inline stub without 'unsafe-inline': script-src 'sha256-…' (snippet.test.ts
 * checks it against SNIPPET_STUB).
 */
export const SNIPPET_STUB_CSP_HASH = "'sha256-KWlfYvsv7dl4rwBX3P2DIcAdhUWLa0Y66/6jLxDbXfM='";

export interface SnippetOptions {
  /** false: no automatic page views (data-auto="0"); the site calls tw('page') itself. */
  automaticPages?: boolean;
  /** true: nothing is stored or sent before tw('consent', {...: true}) (data-consent="required"). */
  consentRequired?: boolean;
  /** true: a browser sending Do-Not-Track or Global Privacy Control is not tracked (data-respect-dnt="1"). */
  respectDoNotTrack?: boolean;
  /** What tw-capture.js captures without instrumentation (data-capture="jsonld,datalayer,exit"). */
  capture?: Array<'jsonld' | 'datalayer' | 'exit'>;
}

function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The HTML a site pastes into every page, e.g. snippet('https://engine.example.com/tw.js', 'shop'). */
export function snippet(scriptUrl: string, siteKey: string, options: SnippetOptions = {}): string {
  let attributes = ' data-site="' + attribute(siteKey) + '"';
  if (options.automaticPages === false) attributes += ' data-auto="0"';
  if (options.consentRequired) attributes += ' data-consent="required"';
  if (options.respectDoNotTrack) attributes += ' data-respect-dnt="1"';
  if (options.capture && options.capture.length) attributes += ' data-capture="' + options.capture.join(',') + '"';
  return '<script>' + SNIPPET_STUB + '</script><script async src="' + attribute(scriptUrl) + '"' + attributes + '></script>';
}
