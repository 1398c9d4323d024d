/** tw-form.js: pop-in forms, fetched by tw.js with the first pop-in that carries one; it hands itself over as tw.form. */
import { pageGlobals } from '../../page-tw.js';
import { renderForm } from './render-form.js';

if (pageGlobals.tw) pageGlobals.tw.form = renderForm;
