import type { SurveyForm } from '../../../../engine/protocol/index.js';
import { element } from '../element.js';
import { send, thank } from './answer.js';

/** One question, one button per answer: the choice becomes the visitor trait `form.trait`. */
export function surveyForm(form: SurveyForm, answered: (stay: boolean) => void): HTMLFieldSetElement {
  const group = element('fieldset', 'f');
  group.append(element('legend', '', form.question));
  for (const option of form.options) {
    const choice = element('button', 'o', option);
    choice.type = 'button';
    choice.onclick = () => {
      send('identify', { traits: { [form.trait]: option } });
      thank(group, form.thanks, answered);
    };
    group.append(choice);
  }
  return group;
}
