import { readdir } from 'node:fs/promises';
import { TripwireError } from '../../errors.js';

/**
 * A template is a trio of files in one folder: `<name>.subject.liquid`, `<name>.html.liquid`,
 * `<name>.text.liquid`. Any other `.liquid` file there (layout.liquid, partials) is shared.
 */
export const TEMPLATE_PARTS = ['subject', 'html', 'text'] as const;

export type TemplatePart = (typeof TEMPLATE_PARTS)[number];

const PART_FILE = /^([A-Za-z0-9][A-Za-z0-9_-]*)\.(subject|html|text)\.liquid$/;

/** Names reach the file system, so anything that could climb out of the folder is refused. */
const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function partFile(name: string, part: TemplatePart): string {
  return `${name}.${part}.liquid`;
}

export function assertTemplateName(name: string): void {
  if (!TEMPLATE_NAME.test(name)) {
    throw new TripwireError(
      'TW_TEMPLATE_INVALID',
      `"${name}" is not a template name: use letters, digits, "-" and "_" (the file prefix before .html.liquid).`,
    );
  }
}

export interface TemplateFolder {
  /** Every `.liquid` file of the folder, template parts and shared files alike. */
  files: string[];
  /** Template name → the parts present for it. */
  templates: Map<string, Set<TemplatePart>>;
}

export async function readTemplateFolder(dir: string): Promise<TemplateFolder> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.liquid'))
    .map((entry) => entry.name)
    .sort();
  const templates = new Map<string, Set<TemplatePart>>();
  for (const file of files) {
    const match = PART_FILE.exec(file);
    if (!match) continue;
    const [, name, part] = match as unknown as [string, string, TemplatePart];
    const parts = templates.get(name) ?? new Set<TemplatePart>();
    parts.add(part);
    templates.set(name, parts);
  }
  return { files, templates };
}
