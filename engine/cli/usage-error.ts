import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * A command given arguments it does not take. main.ts prints `<command>: <problem>`, then the
 * command's usage, on stderr and exits 2: a mistyped flag is named to the operator, never run
 * with a default in its place.
 */
export class UsageError extends Error {
  constructor(
    /** How the operator typed it: "tripwire mailer suppress". */
    readonly command: string,
    problem: string,
    readonly usage: string,
  ) {
    super(problem);
    this.name = 'UsageError';
  }
}

/**
 * `--help` given to a command that takes it: main.ts prints the usage on stdout and exits 0.
 * Thrown by parseCommandArgs, so every command answers --help the same way.
 */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

/** What `parseArgs` refuses under `strict`: an unknown flag, a flag missing its value or given one it does not take. */
const REFUSED_BY_PARSE_ARGS = new Set(['ERR_PARSE_ARGS_UNKNOWN_OPTION', 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE', 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL']);

type Options = NonNullable<ParseArgsConfig['options']>;
type StrictConfig<T extends Options> = { args: string[]; options: T; allowPositionals: true };

/**
 * `parseArgs` with `strict` (its default): a flag the command does not know, a flag missing its
 * value, or more than `mostPositionals` positional arguments is a UsageError. A command whose
 * options have `help` throws HelpRequested when it is given.
 */
export function parseCommandArgs<const T extends Options>(
  command: string,
  usage: string,
  args: string[],
  options: T,
  mostPositionals: number,
): ReturnType<typeof parseArgs<StrictConfig<T>>> {
  let parsed: ReturnType<typeof parseArgs<StrictConfig<T>>>;
  try {
    parsed = parseArgs<StrictConfig<T>>({ args, options, allowPositionals: true });
  } catch (error) {
    if (REFUSED_BY_PARSE_ARGS.has((error as NodeJS.ErrnoException).code ?? '')) throw new UsageError(command, (error as Error).message, usage);
    throw error;
  }
  if ((parsed.values as { help?: unknown }).help === true) throw new HelpRequested(usage);
  const surplus = parsed.positionals.slice(mostPositionals);
  if (surplus.length > 0) throw new UsageError(command, `unexpected argument${surplus.length > 1 ? 's' : ''} ${surplus.join(' ')}`, usage);
  return parsed;
}
