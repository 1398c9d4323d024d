import type { EmailForm } from '../../../../engine/protocol/index.js';
import { element } from '../element.js';
import { send, thank } from './answer.js';

/**
 * Email capture: the address becomes an identify (unverified: the engine mails it only once the
 * site has verified it), and the consent box, never ticked in advance, records an email opt-in
 * with its wording and page when the visitor ticks it.
 */
export function emailForm(form: EmailForm, answered: (stay: boolean) => void): HTMLFormElement {
  const made = element('form', 'f');
  // The browser's own bubble is unreadable for some screen readers and unstyled: the message goes
  // into a live region instead, in the browser's language (validationMessage).
  made.noValidate = true;
  const label = element('label', '', form.label);
  label.htmlFor = 'e';
  const email = element('input', '');
  email.id = 'e';
  email.type = 'email';
  email.name = 'email';
  email.autocomplete = 'email';
  email.required = true;
  email.setAttribute('aria-describedby', 'm');
  const problem = element('p', 'm');
  problem.id = 'm';
  problem.setAttribute('aria-live', 'assertive');
  const consent = element('label', 'c');
  const box = element('input', '');
  box.type = 'checkbox';
  consent.append(box, form.consent);
  const submit = element('button', 'cta', form.submit);
  made.append(label, email, problem, consent, submit);

  made.onsubmit = (event) => {
    event.preventDefault();
    if (!email.checkValidity()) {
      email.setAttribute('aria-invalid', 'true');
      problem.textContent = email.validationMessage;
      email.focus();
      return;
    }
    send('identify', { email: email.value.trim() });
    if (box.checked) send('consent', { email: true, wording: form.consent, page: location.href });
    thank(made, form.thanks, answered);
  };
  return made;
}
