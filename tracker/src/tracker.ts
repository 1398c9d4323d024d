import type { EventType } from '../../engine/protocol/index.js';
import { STRING_MAX, trackPageViews } from './capture/index.js';
import { chunkLoader } from './chunks.js';
import { forgetVisitor, sessionAt, visitorId } from './identity.js';
import { eventIds } from './ids.js';
import { openOutbox, storedEvents } from './outbox.js';
import { pageGlobals } from './page-tw.js';
import type { PageTw, RecordEvent } from './page-tw.js';
import type { Settings } from './settings.js';
import { recall, remember } from './storage.js';
import { openTransport } from './transport.js';

const CONSENT_KEY = 'tw_c';

type Props = Record<string, unknown>;

/** Starts tracking this page and returns the `tw` function that replaces the snippet's stub. */
export function startTracker(settings: Settings): PageTw {
  const required = settings.consentRequired;
  let consented = !required || recall(CONSENT_KEY) === '1';
  /** Consent refused: this page records nothing more until it is granted. */
  let refused = false;
  const outbox = openOutbox(consented);
  const nextId = eventIds();

  const record: RecordEvent = (type, props) => {
    if (refused) return;
    let p: Props;
    try {
      // A copy as JSON: what the engine will get, fixed now even if the page changes the object later.
      p = JSON.parse(JSON.stringify(props || {})) as Props;
    } catch (error) {
      // A circular object or a BigInt can never be sent; kept, it would break every later save of the outbox.
      if (TW_DEV) console.warn('[tripwire] the props of "' + type + '" cannot be encoded as JSON; the event is dropped', error);
      return;
    }
    const ts = Date.now();
    outbox.add({ i: nextId(), t: type, ts, u: location.href.slice(0, STRING_MAX), ss: consented ? sessionAt(ts) : '', p });
    if (consented) transport.flush();
  };

  const load = chunkLoader(settings.script);
  const transport = openTransport({
    // The folder tw.js was loaded from: the engine may sit under a path of the site's own origin (/t/).
    base: new URL('.', settings.script.src).href.slice(0, -1),
    site: settings.site,
    visitor: visitorId,
    outbox,
    loadChunk: load,
    // A pop-in's chunks are fetched together: the renderer, and a modal's focus trap or a form when it has one.
    onPop: (message) =>
      void Promise.all([load('tw-ui.js'), message.tpl === 'modal' && load('tw-modal.js'), message.form && load('tw-form.js')]).then(() => {
        const render = pageGlobals.tw!.ui;
        if (render) render(message, record);
        else if (TW_DEV) console.warn('[tripwire] could not load the pop-in renderer next to ' + settings.script.src);
      }),
  });
  const whileConsented = (action: () => void) => () => {
    if (consented) action();
  };

  function consent(props: Props): void {
    const granted = Object.values(props).indexOf(true) >= 0;
    refused = false;
    record('consent', props);
    if (!required) return;
    if (granted && !consented) {
      consented = true;
      remember(CONSENT_KEY, '1');
      // Events recorded while waiting for consent get their session now that storage may be used.
      outbox.events.forEach((event) => (event.ss = sessionAt(event.ts)));
      outbox.persist();
      transport.resume();
    } else if (!granted) {
      // A withdrawal is the last thing the engine hears; a refusal before consent, nothing at all.
      forget();
      remember(CONSENT_KEY, null);
      consented = false;
      refused = true;
    }
  }

  /** What awaits an ack goes to the engine (when consented); then the events and the visitor are forgotten. */
  function forget(): void {
    if (consented) transport.leave();
    outbox.drop(outbox.events.map((event) => event.i));
    forgetVisitor();
  }

  const page = trackPageViews(record, settings.automaticPages);

  const tw: PageTw = (command, first?: unknown, second?: unknown) => {
    const props = (first || {}) as Props;
    if (command === 'page') page();
    else if (command === 'track') record('track', Object.assign({ name: first }, second as Props));
    else if (command === 'consent') consent(props);
    else if (command === 'reset') {
      // A new visitor: the socket opens again with its id.
      forget();
      if (consented) transport.resume();
    }
    // Every other command is an event type with its props; the engine rejects unknown types
    // (TW_UNKNOWN_EVENT), which a dev build shows, so the tracker needs no list of them.
    else record(command as EventType, props);
  };
  tw.loaded = true;

  addEventListener('pagehide', whileConsented(transport.leave));
  addEventListener('pageshow', (event) => {
    if (!consented) return;
    // Restored from the back/forward cache: another page of this tab may have sent, acked or
    // added events meanwhile, so the stored outbox is newer than the one this page remembers.
    if (event.persisted) outbox.events = storedEvents();
    transport.resume();
  });
  document.addEventListener(
    'visibilitychange',
    whileConsented(() => (document.visibilityState === 'hidden' ? transport.leave() : transport.resume())),
  );
  whileConsented(transport.resume)();
  // data-capture="jsonld,datalayer,exit": tw-capture.js reads the attribute itself.
  if (settings.script.dataset.capture) void load('tw-capture.js');
  return tw;
}
