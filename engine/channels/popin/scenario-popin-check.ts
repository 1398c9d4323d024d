import { scenarioLineOf, type PopinAction, type Scenario, type ScenarioProblem } from '../../scenarios/index.js';
import { createPopinLiquid } from './popin-liquid.js';

/**
 * Parses every Liquid string of the scenarios' pop-ins when they are loaded (engine start, a
 * reload, `tripwire check`), so that a string that does not parse stops the load at its line
 * rather than failing every firing at delivery.
 */
export async function checkScenarioPopins(scenarios: readonly Scenario[]): Promise<ScenarioProblem[]> {
  const liquid = createPopinLiquid();
  const problems: ScenarioProblem[] = [];
  const lines = new Map<string, string[]>();
  for (const scenario of scenarios) {
    const single = scenario.variants.length === 1;
    for (const variant of scenario.variants) {
      for (const [index, step] of variant.steps.entries()) {
        if (step.action.channel !== 'popin') continue;
        const place = single ? (variant.steps.length === 1 ? 'then.popin' : `step ${index + 1}: popin`) : `variant ${variant.id}, step ${index + 1}: popin`;
        for (const [field, text] of popinStrings(step.action)) {
          try {
            liquid.parse(text);
          } catch (error) {
            const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
            const at = await scenarioLineOf(scenario.source, text, lines);
            problems.push({ file: scenario.source, ...at, path: `${place}.${field}`, message: `does not parse: ${reason}` });
          }
        }
      }
    }
  }
  return problems;
}

/** The pop-in's strings PopinChannel renders, by their place in the scenario file; the survey's trait is a name, not a template. */
function popinStrings(action: PopinAction): Array<[string, string]> {
  const strings: Array<[string, string]> = [
    ['title', action.title],
    ['body', action.body],
  ];
  if (action.image !== undefined) strings.push(['image', action.image]);
  if (action.cta !== undefined) strings.push(['cta.label', action.cta.label], ['cta.url', action.cta.url]);
  const form = action.form;
  if (form === undefined) return strings;
  if (form.kind === 'email') strings.push(['form.label', form.label], ['form.consent', form.consent], ['form.submit', form.submit]);
  else strings.push(['form.question', form.question], ...form.options.map((option, index): [string, string] => [`form.options.${index}`, option]));
  if (form.thanks !== undefined) strings.push(['form.thanks', form.thanks]);
  return strings;
}
