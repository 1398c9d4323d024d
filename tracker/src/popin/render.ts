import type { PopinMessage } from '../../../engine/protocol/index.js';
import { pageGlobals } from '../page-tw.js';
import type { ReportPopin } from '../page-tw.js';
import { element } from './element.js';
import { safeUrl } from './safe-url.js';
import { popinSheet } from './styles.js';

/** Close functions of the pop-ins on screen, newest last: Escape closes the newest. */
const open: Array<() => void> = [];

// One listener for the page's life, added with the first pop-in (tw-ui.js runs only then); with
// none open it does nothing, which costs less than adding and removing it with each pop-in.
document.addEventListener('keydown', (event) => {
  const newest = open[open.length - 1];
  if (event.key === 'Escape' && newest) newest();
});

/** Shows one pop-in (toast, modal or bar) in its own shadow root and reports what the visitor does with it. */
export function renderPopin(message: PopinMessage, report: ReportPopin): void {
  const props = { trigger: message.id, scenario: message.s };
  const modal = message.tpl === 'modal';
  const previous = document.activeElement as HTMLElement | null;

  const host = document.createElement('tw-popin');
  const root = host.attachShadow({ mode: 'open' });
  root.adoptedStyleSheets = [popinSheet()];
  const frame = element('div', 'w ' + message.tpl);
  const dialog = element('div', 'd');
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-labelledby', 't');
  dialog.setAttribute('aria-describedby', 'b');
  if (modal) dialog.setAttribute('aria-modal', 'true');
  dialog.tabIndex = -1;

  const image = safeUrl(message.image);
  if (image) {
    const img = element('img', '');
    img.alt = '';
    img.src = image;
    dialog.append(img);
  }
  const title = element('h2', '', message.title);
  title.id = 't';
  const body = element('p', '', message.body);
  body.id = 'b';
  dialog.append(title, body);

  /** An answered form already counted as the click: closing it afterwards is no dismissal. */
  let answered = false;
  const close = (clicked: boolean): void => {
    host.remove();
    open.splice(open.indexOf(dismiss), 1);
    if (modal && previous && previous.focus) previous.focus();
    if (!answered) report(clicked ? 'popin_clicked' : 'popin_dismissed', props);
  };
  const dismiss = (): void => close(false);

  const target = message.cta && safeUrl(message.cta.url);
  if (target) {
    const cta = element('a', 'cta', message.cta!.label);
    cta.href = target;
    cta.onclick = () => close(true);
    dialog.append(cta);
  }
  const closer = element('button', 'x', '\u00d7');
  closer.type = 'button';
  closer.setAttribute('aria-label', 'Close');
  closer.onclick = dismiss;
  dialog.append(closer);

  frame.append(dialog);
  if (modal) {
    // A block body: an onclick handler returning false cancels the click, which would break every
    // link, checkbox and submit button inside the modal.
    frame.onclick = (event) => {
      if (event.target === frame) dismiss();
    };
    // tw-modal.js, fetched with this chunk; should it fail to load, the modal still works, with Tab free to leave it.
    const trap = pageGlobals.tw!.trap;
    if (trap) trap(root, dialog);
  }
  root.append(frame);
  const form = message.form && pageGlobals.tw!.form;
  if (form) {
    form(dialog, message.form!, (stay) => {
      if (!stay) return close(true);
      report('popin_clicked', props);
      answered = true;
    });
  }
  document.body.append(host);
  open.push(dismiss);
  if (modal) dialog.focus();
  report('popin_shown', props);
}
