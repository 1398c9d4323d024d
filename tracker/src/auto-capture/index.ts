/**
 * tw-capture.js: capture without instrumentation, fetched by tw.js when its tag says which, e.g.
 * data-capture="jsonld,datalayer,exit". Sites that instrument by hand never load it.
 */
import { pageGlobals } from '../page-tw.js';
import { captureDataLayer } from './data-layer.js';
import { captureExitIntent } from './exit-intent.js';
import { captureJsonLd } from './json-ld.js';
import { onceProductPerPage } from './record.js';

const tag = document.querySelector<HTMLScriptElement>('script[data-capture]');
const wanted = ((tag && tag.dataset.capture) || '').split(/[\s,]+/);
const tw = pageGlobals.tw;
if (tw && tw.loaded) {
  const record = onceProductPerPage(tw);
  if (wanted.indexOf('jsonld') >= 0) captureJsonLd(record);
  if (wanted.indexOf('datalayer') >= 0) captureDataLayer(record);
  if (wanted.indexOf('exit') >= 0) captureExitIntent(record);
}
