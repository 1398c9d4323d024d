import { resolve } from 'node:path';
import type { Liquid, Template } from 'liquidjs';
import { scenarioLineOf, type EmailAction, type Scenario, type ScenarioProblem } from '../../scenarios/index.js';
import { currencyMisuses, type CurrencyMisuse } from './currency-check.js';
import { createLiquidEngine } from './liquid-engine.js';
import { currencyCodeProblem } from './money-filter.js';
import { partFile, readTemplateFolder, type TemplatePart } from './template-files.js';

/**
 * What the scenarios' email actions ask of the template folder, checked when scenarios are
 * loaded (engine start, a reload, `tripwire check`) rather than when the first email of a
 * scenario fails: each named template has its html and text parts (and a subject part when the
 * scenario sets no subject), each subject the scenario sets parses, filters included, and every
 * currency the `money` filter is given in writing (in the template, its layout and partials, the
 * subject, or the action's `variables`) is one it can format.
 */
export async function checkScenarioEmails(scenarios: readonly Scenario[], templatesDir: string): Promise<ScenarioProblem[]> {
  const actions = scenarios.flatMap((scenario) => emailActionsOf(scenario));
  if (actions.length === 0) return [];
  const root = resolve(templatesDir);
  let templates: Map<string, Set<TemplatePart>>;
  try {
    templates = (await readTemplateFolder(root)).templates;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const { scenario, path } = actions[0]!;
    return [{ file: scenario.source, line: 1, column: 1, path, message: `cannot read the template folder ${root} (${reason}): check templates.dir` }];
  }
  const subjects = createLiquidEngine(root, 'plain');
  const problems: ScenarioProblem[] = [];
  const lines = new Map<string, string[]>();
  for (const { scenario, action, path } of actions) {
    const at = async (text: string) => ({ file: scenario.source, ...(await scenarioLineOf(scenario.source, text, lines)), path });
    const parts = templates.get(action.template);
    const needed: TemplatePart[] = action.subject === undefined ? ['subject', 'html', 'text'] : ['html', 'text'];
    const missing = needed.filter((part) => !parts?.has(part));
    if (missing.length > 0) {
      const files = missing.map((part) => partFile(action.template, part)).join(', ');
      const what = parts === undefined ? `no template "${action.template}"` : `template "${action.template}" lacks ${files}`;
      problems.push({ ...(await at(action.template)), message: `${what} in ${root}${missing.includes('subject') && parts !== undefined ? ' (or give the scenario a subject)' : ''}` });
    }
    let subject: Template[] = [];
    if (action.subject !== undefined) {
      try {
        subject = subjects.parse(action.subject);
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        problems.push({ ...(await at(action.subject)), message: `the subject does not parse: ${reason}` });
      }
    }
    const files = [...(parts ?? [])].flatMap((part) => (part === 'subject' && action.subject !== undefined ? [] : parsedFile(subjects, partFile(action.template, part))));
    const misuses = currencyMisuses([...subject, ...files], root, { variables: action.variables });
    for (const misuse of misuses) problems.push({ ...(await at(misusedText(action, misuse))), message: currencyMessage(action, misuse) });
  }
  return problems;
}

/** A part that does not parse yields nothing here: checkTemplates reports it with its own position. */
function parsedFile(engine: Liquid, file: string): Template[] {
  try {
    return engine.parseFileSync(file);
  } catch {
    return [];
  }
}

/** The scenario text the problem is about: the variable's value, the subject, or the template's name. */
function misusedText(action: EmailAction, misuse: CurrencyMisuse): string {
  if (misuse.variable !== undefined) return misuse.currency;
  return misuse.where.startsWith('subject:') && action.subject !== undefined ? action.subject : action.template;
}

function currencyMessage(action: EmailAction, misuse: CurrencyMisuse): string {
  if (misuse.variable !== undefined) {
    return `variables.${misuse.variable}: ${currencyCodeProblem(misuse.currency)} (${misuse.where} formats money with it)`;
  }
  const place = misuse.where.startsWith('subject:') ? `the subject, ${misuse.where}` : `template "${action.template}", ${misuse.where}`;
  return `${place}: money: ${currencyCodeProblem(misuse.currency)}`;
}

interface EmailActionAt {
  scenario: Scenario;
  action: EmailAction;
  path: string;
}

function emailActionsOf(scenario: Scenario): EmailActionAt[] {
  const found: EmailActionAt[] = [];
  const single = scenario.variants.length === 1;
  for (const variant of scenario.variants) {
    variant.steps.forEach((step, index) => {
      if (step.action.channel !== 'email') return;
      const place = single ? (variant.steps.length === 1 ? 'then.email' : `step ${index + 1}: email`) : `variant ${variant.id}, step ${index + 1}: email`;
      found.push({ scenario, action: step.action, path: place });
    });
  }
  return found;
}
