import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { sampleEmailContext, type EmailSite } from '../channels/email/index.js';
import { TemplateRenderer } from '../channels/templates/index.js';
import { loadConfig } from '../config/index.js';
import { TripwireError } from '../errors.js';
import { UsageError, parseCommandArgs } from './usage-error.js';

const USAGE = 'usage: tripwire email preview <template> [--data file.json] [--site key] --out file.html\n';

/** `tripwire email preview`: renders a template with sample data (or yours) to an HTML file, and prints subject and text. */
export async function runEmail(args: string[]): Promise<number> {
  const { positionals, values: options } = parseCommandArgs(
    'tripwire email',
    USAGE,
    args,
    { data: { type: 'string' }, site: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } },
    2,
  );
  const [command, template] = positionals;
  if (command !== 'preview') throw new UsageError('tripwire email', command === undefined ? 'which command?' : `unknown command ${command}`, USAGE);
  if (template === undefined) throw new UsageError('tripwire email', 'preview needs a template name', USAGE);
  if (options.out === undefined) throw new UsageError('tripwire email', 'preview needs --out <file.html>', USAGE);
  const config = await loadConfig();
  const site = config.sites.find((candidate) => candidate.key === (options.site ?? config.sites[0]!.key));
  if (site === undefined) throw new TripwireError('TW_UNKNOWN_SITE', `no site "${options.site}" in the configuration`);
  const emailSite: EmailSite = { key: site.key, name: site.name, from: site.from, publicUrl: site.url.replace(/\/$/, '') };
  const data = options.data === undefined ? {} : await readData(options.data);
  const context = { ...sampleEmailContext(emailSite), ...data, site: emailSite };
  const rendered = await new TemplateRenderer({ dir: config.templates.dir }).render(template, context);
  await writeOut(options.out, rendered.html);
  process.stdout.write(`Subject: ${rendered.subject}\n\n${rendered.text}\nHTML written to ${options.out}\n`);
  return 0;
}

/** The preview's HTML to --out: a path that cannot be written is the argument's fault, said without a stack. */
async function writeOut(path: string, html: string): Promise<void> {
  try {
    await writeFile(path, html);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError('tripwire email', `--out ${path} cannot be written: the folder ${dirname(resolve(path))} does not exist`, USAGE);
    if (code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EROFS' || code === 'EPERM') {
      throw new UsageError('tripwire email', `--out ${path} cannot be written: ${(error as Error).message}`, USAGE);
    }
    throw error;
  }
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
