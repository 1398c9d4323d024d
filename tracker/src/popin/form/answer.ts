import { pageGlobals } from '../../page-tw.js';
import { element } from '../element.js';

/** Sends an answer as the page's own tw() call would, so consent mode and batching apply as usual. */
export function send(type: 'identify' | 'consent', props: Record<string, unknown>): void {
  pageGlobals.tw!(type, props);
}

/**
 * After an answer: with a thank-you, the form gives way to it and the focus moves to it (the
 * focused control is gone, and a screen reader reads the thanks); without one, the pop-in closes.
 */
export function thank(form: HTMLElement, thanks: string | undefined, answered: (stay: boolean) => void): void {
  if (thanks) {
    const note = element('p', 'k', thanks);
    note.setAttribute('role', 'status');
    note.tabIndex = -1;
    form.replaceWith(note);
    note.focus();
  }
  answered(!!thanks);
}
