/**
 * tw-modal.js: keeps Tab inside a modal pop-in. tw.js fetches it with tw-ui.js for the first
 * modal, so toasts and bars never pay for it; it hands itself over as tw.trap.
 */
import { pageGlobals } from '../../page-tw.js';
import { trapFocus } from './focus-trap.js';

if (pageGlobals.tw) pageGlobals.tw.trap = trapFocus;
