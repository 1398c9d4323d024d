import { readFile, writeFile } from 'node:fs/promises';
import { sampleEmailContext, type EmailSite } from '../channels/email/index.js';
import { TemplateRenderer } from '../channels/templates/index.js';
import { loadConfig } from '../config/index.js';
import { TripwireError } from '../errors.js';

const USAGE = 'usage: tripwire email preview <template> [--data file.json] [--site key] --out file.html\n';

/** `tripwire email preview`: renders a template with sample data (or yours) to an HTML file, and prints subject and text. */
export async function runEmail(args: string[]): Promise<number> {
  const [command, template, ...rest] = args;
  const options = flags(rest);
  if (command !== 'preview' || template === undefined || options.out === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = await loadConfig();
  const site = config.sites.find((candidate) => candidate.key === (options.site ?? config.sites[0]!.key));
  if (site === undefined) throw new TripwireError('TW_UNKNOWN_SITE', `no site "${options.site}" in the configuration`);
  const emailSite: EmailSite = { key: site.key, name: site.name, from: site.from, publicUrl: site.url.replace(/\/$/, '') };
  const data = options.data === undefined ? {} : await readData(options.data);
  const context = { ...sampleEmailContext(emailSite), ...data, site: emailSite };
  const rendered = await new TemplateRenderer({ dir: config.templates.dir }).render(template, context);
  await writeFile(options.out, rendered.html);
  process.stdout.write(`Subject: ${rendered.subject}\n\n${rendered.text}\nHTML written to ${options.out}\n`);
  return 0;
}

function flags(args: string[]): { data?: string; out?: string; site?: string } {
  const found: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]?.replace(/^--/, '');
    const value = args[i + 1];
    if (name !== undefined && value !== undefined) found[name] = value;
  }
  return found;
}

async function readData(path: string): Promise<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the top level must be an object');
    return value as Record<string, unknown>;
  } catch (cause) {
    throw new TripwireError('TW_TEMPLATE_INVALID', `--data ${path}: ${(cause as Error).message}`, { cause });
  }
}
