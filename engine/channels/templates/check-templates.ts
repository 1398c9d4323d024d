import { resolve } from 'node:path';
import { TripwireError } from '../../errors.js';
import { currencyMisuses } from './currency-check.js';
import { createLiquidEngine } from './liquid-engine.js';
import { currencyCodeProblem } from './money-filter.js';
import { templateError } from './template-error.js';
import { partFile, readTemplateFolder, type TemplateFolder, type TemplatePart } from './template-files.js';

/** A template may leave its subject to the scenario, never its body. */
const REQUIRED_PARTS: readonly TemplatePart[] = ['html', 'text'];

/**
 * Every problem of a template folder, for a CLI to list before deploying: files that do not
 * parse, `money` filters given a currency code they cannot format, templates missing a part, and
 * templates that fail to render with an empty context (which is how a missing layout or partial
 * shows up, as liquidjs resolves those at render).
 */
export async function checkTemplates(dir: string): Promise<TripwireError[]> {
  const root = resolve(dir);
  let folder: TemplateFolder;
  try {
    folder = await readTemplateFolder(root);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [new TripwireError('TW_TEMPLATE_INVALID', `${root}: cannot read the template folder (${reason})`, { cause: error })];
  }
  const engine = createLiquidEngine(root, 'plain');
  const problems: TripwireError[] = [];
  const unparsable = new Set<string>();
  for (const file of folder.files) {
    try {
      const parsed = await engine.parseFile(file);
      // Each file's own filters: a partial's are reported once, as its own file.
      const misuses = currencyMisuses(parsed, root, { partials: false });
      for (const misuse of misuses) problems.push(new TripwireError('TW_TEMPLATE_INVALID', `${misuse.where}: money: ${currencyCodeProblem(misuse.currency)}`));
    } catch (error) {
      unparsable.add(file);
      problems.push(templateError(error, root, file));
    }
  }
  for (const [name, parts] of folder.templates) {
    for (const part of REQUIRED_PARTS) {
      if (!parts.has(part)) {
        problems.push(new TripwireError('TW_TEMPLATE_INVALID', `${partFile(name, part)}: missing (every template needs html and text parts)`));
      }
    }
    for (const part of parts) {
      const file = partFile(name, part);
      if (unparsable.has(file)) continue;
      try {
        await engine.renderFile(file, {});
      } catch (error) {
        const problem = templateError(error, root, file);
        if (!problems.some((known) => known.message === problem.message)) problems.push(problem);
      }
    }
  }
  return problems;
}
