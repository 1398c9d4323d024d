import type { RenderForm } from '../../page-tw.js';
import { emailForm } from './email-form.js';
import { formSheet } from './form-styles.js';
import { surveyForm } from './survey-form.js';

/** Adds the form to the dialog, above its call to action and close button, with the form styles. */
export const renderForm: RenderForm = (dialog, form, answered) => {
  const root = dialog.getRootNode() as ShadowRoot;
  root.adoptedStyleSheets = root.adoptedStyleSheets.concat(formSheet());
  const made = form.kind === 'email' ? emailForm(form, answered) : surveyForm(form, answered);
  dialog.insertBefore(made, dialog.querySelector('.cta,.x'));
};
