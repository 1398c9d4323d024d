/** tw-ui.js: the pop-in renderer, fetched by tw.js on the first pop-in; it hands itself over as tw.ui. */
import { pageGlobals } from '../page-tw.js';
import { renderPopin } from './render.js';

if (pageGlobals.tw) pageGlobals.tw.ui = renderPopin;
