#!/usr/bin/env node
import { runBacktestCommand } from './backtest.js';
import { runCatalogue } from './catalogue.js';
import { runCheck, runSchema } from './check.js';
import { runEmail } from './email-preview.js';
import { reportFailure } from './failure-report.js';
import { runMailer } from './mailer.js';
import { runQuery } from './query.js';
import { runStart } from './start.js';
import { HelpRequested, UsageError } from './usage-error.js';
import { runWebhooks } from './webhooks.js';

const USAGE = `usage: tripwire <command>

  start                 run the engine (config from $TW_CONFIG and the environment; see README)
  check [dir|file]      check a scenario folder (default: the configured one; a file: its folder) and explain each error
  schema                print the JSON Schema of scenario files
  query <name>          run an analyst query (KPIs, funnel, audiences...): tripwire query --help
  mailer [command]      run a mailer worker (needs Redis); dead-letters, suppressions: see \`tripwire mailer --help\`
  webhooks dead-letters list, replay or remove webhooks that were refused or used up their tries (needs Redis)
  email preview <template> [--data file.json] --out file.html
                        render an email template with sample data
  backtest <scenario>   what would this scenario have done? --from/--to over stored events
  catalogue import <site> <file.json|.ndjson|.csv>
                        send a product catalogue file to the running engine's feed
`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  start: runStart,
  check: runCheck,
  schema: runSchema,
  backtest: runBacktestCommand,
  query: runQuery,
  mailer: runMailer,
  webhooks: runWebhooks,
  email: runEmail,
  catalogue: runCatalogue,
};

/** The engine and the mailer worker: they run until a signal stops them. */
function servesUntilStopped(argv: readonly string[]): boolean {
  return argv[0] === 'start' || (argv[0] === 'mailer' && argv.length === 1);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  // Own keys only: `tripwire constructor` is an unknown command, not Object's constructor.
  const command = name !== undefined && Object.hasOwn(commands, name) ? commands[name] : undefined;
  const serves = servesUntilStopped(argv);
  // A reader that stops early (`tripwire schema | head`) has taken all it wanted: no failure of a
  // command that prints. An engine or a worker that loses its stdout still fails loudly, so that
  // its supervisor restarts it.
  if (!serves) {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(0);
    });
  }
  if (name === '--help' || name === '-h') throw new HelpRequested(USAGE);
  // An empty argument is what a script passes with an unset "$command": no command either.
  if (name === undefined || name === '') throw new UsageError('tripwire', 'no command given', USAGE);
  if (command === undefined) throw new UsageError('tripwire', `unknown command ${name}`, USAGE);
  return command(args);
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof HelpRequested) {
      process.stdout.write(error.usage);
      process.exitCode = 0;
      return;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`${error.command}: ${error.message}\n\n${error.usage}`);
      process.exitCode = 2;
      return;
    }
    reportFailure(error);
    process.exitCode = 1;
  },
)
  // A stopped engine or worker exits, whatever a component it closed may have left scheduled: its
  // supervisor must see it gone. Its logs are written synchronously (stdout to a file or a pipe),
  // so none is cut short. (One that gave up on a hung disk ends by its signal instead: start.ts.)
  .finally(() => {
    if (servesUntilStopped(argv)) process.exit();
  });
