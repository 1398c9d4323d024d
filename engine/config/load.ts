import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { TripwireError } from '../errors.js';
import { configSchema, withDemoSite, type ConfigInput, type TripwireConfig } from './schema.js';

type EnvType = 'string' | 'number' | 'boolean' | 'duration';

/** Environment variables and the config path each one sets; the README's configuration table lists the same. */
export const ENV_SETTINGS: ReadonlyArray<{ env: string; path: string[]; type: EnvType }> = [
  { env: 'HOST', path: ['server', 'host'], type: 'string' },
  { env: 'PORT', path: ['server', 'port'], type: 'number' },
  { env: 'PUBLIC_URL', path: ['server', 'publicUrl'], type: 'string' },
  { env: 'REDIS_URL', path: ['store', 'redisUrl'], type: 'string' },
  { env: 'REDIS_CLUSTER', path: ['store', 'redisCluster'], type: 'boolean' },
  { env: 'CLICKHOUSE_URL', path: ['warehouse', 'clickhouseUrl'], type: 'string' },
  { env: 'CLICKHOUSE_DATABASE', path: ['warehouse', 'database'], type: 'string' },
  { env: 'SMTP_URL', path: ['email', 'smtpUrl'], type: 'string' },
  { env: 'TW_MAILER_WORKER', path: ['mailer', 'worker'], type: 'string' },
  { env: 'TW_MAILER_DEAD_LETTER_RETENTION', path: ['mailer', 'deadLetterRetention'], type: 'duration' },
  { env: 'TW_WEBHOOK_DEAD_LETTER_RETENTION', path: ['webhooks', 'deadLetterRetention'], type: 'duration' },
  { env: 'TW_DATA_DIR', path: ['dataDir'], type: 'string' },
  { env: 'TW_SCENARIOS_DIR', path: ['scenarios', 'dir'], type: 'string' },
  { env: 'TW_TEMPLATES_DIR', path: ['templates', 'dir'], type: 'string' },
  { env: 'TW_DEMO', path: ['demo', 'enabled'], type: 'boolean' },
  { env: 'LOG_LEVEL', path: ['log', 'level'], type: 'string' },
  { env: 'TW_ADMIN_TOKEN', path: ['admin', 'token'], type: 'string' },
  { env: 'TW_SCHEDULE_POLL_INTERVAL', path: ['schedules', 'pollInterval'], type: 'duration' },
];

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Path of a YAML or JSON config file; defaults to $TW_CONFIG. */
  file?: string;
  /** Settings that win over file and environment (tests, embedding). */
  overrides?: ConfigInput;
}

/** Loads defaults < config file < environment < overrides, validates once and freezes the result. */
export async function loadConfig(options: LoadOptions = {}): Promise<TripwireConfig> {
  const env = options.env ?? process.env;
  const file = options.file ?? env.TW_CONFIG;
  const fromFile = file === undefined || file === '' ? {} : await readConfigFile(file);
  const merged = deepMerge(deepMerge(fromFile, fromEnvironment(env)), (options.overrides ?? {}) as Record<string, unknown>);
  return parseConfig(merged, file);
}

export function parseConfig(input: unknown, source?: string): TripwireConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new TripwireError('TW_CONFIG_INVALID', describeIssues(result.error, source));
  return deepFreeze(withDemoSite(result.data));
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new TripwireError('TW_CONFIG_INVALID', `cannot read config file ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    const parsed: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be a mapping');
    return parsed as Record<string, unknown>;
  } catch (cause) {
    throw new TripwireError('TW_CONFIG_INVALID', `${path}: ${(cause as Error).message}`, { cause });
  }
}

function fromEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const setting of ENV_SETTINGS) {
    const raw = env[setting.env];
    if (raw === undefined || raw === '') continue;
    setPath(out, setting.path, coerce(raw, setting.type, setting.env));
  }
  return out;
}

function coerce(raw: string, type: EnvType, name: string): unknown {
  if (type === 'string') return raw;
  // A duration is validated by the schema, which names the setting and the forms it takes; bare
  // digits are milliseconds there too, so they are passed on as the number the file would hold.
  if (type === 'duration') return /^\d+$/.test(raw) ? Number(raw) : raw;
  if (type === 'number') {
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new TripwireError('TW_CONFIG_INVALID', `${name}="${raw}" is not a number`);
    return value;
  }
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new TripwireError('TW_CONFIG_INVALID', `${name}="${raw}" is not a boolean (use 1/0, true/false)`);
}

function describeIssues(error: z.ZodError, source: string | undefined): string {
  const lines = error.issues.flatMap((issue) => {
    // A misspelt setting would otherwise be dropped and its default used without a word.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${[...issue.path, key].join('.')}: not a setting Tripwire knows; check its spelling (engine/config/schema.ts lists them)`);
    }
    const path = issue.path.join('.');
    const env = ENV_SETTINGS.find((s) => s.path.join('.') === path);
    const origin = env === undefined ? '' : ` (environment variable ${env.env})`;
    return `${path || '(root)'}${origin}: ${issue.message}`;
  });
  const where = source === undefined ? 'configuration' : `configuration (${source})`;
  return `invalid ${where}:\n  ${lines.join('\n  ')}`;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
