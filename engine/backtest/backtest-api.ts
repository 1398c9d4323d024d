import { z } from 'zod';
import { TripwireError, isTripwireError } from '../errors.js';
import type { PageRequest, PageResponse, PageSource } from '../gateway/index.js';
import type { Logger } from '../observability/index.js';
import type { SiteProfile } from '../pipeline/index.js';
import { ScenarioCompiler, type ChannelCap, type Channel, type Scenario } from '../scenarios/index.js';
import { parseRequiredTimeRange, type WarehouseBackend } from '../warehouse/index.js';
import { runBacktest } from './backtest.js';

/** Who may run a backtest: the dashboard's admin token or cookie. */
export interface BacktestAuth {
  allows(request: PageRequest): boolean;
}

export interface BacktestApiDeps {
  warehouse: WarehouseBackend;
  auth: BacktestAuth;
  /** The scenarios in force, which compete with the candidate for priority when `withLive` is set. */
  live: () => readonly Scenario[];
  sites: readonly SiteProfile[];
  caps: Record<Channel, ChannelCap>;
  logger: Logger;
}

const requestSchema = z
  .object({
    /** One scenario file's text, or several. */
    scenarios: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Read by parseRequiredTimeRange, as the query API reads them: a UTC day, a date-time with its offset or epoch ms. */
    from: z.string().min(1),
    to: z.string().min(1),
    withLive: z.boolean().default(false),
  })
  .strict();

/**
 * POST /api/backtest {"scenarios": "<yaml>", "from": "2026-11-01", "to": "2026-11-08", "withLive": true}
 * answers what the scenario would have done over the stored events of the range: per day, the
 * visitors it fires for, the suppressions by reason, and the visitors who bought anyway.
 */
export class BacktestApi implements PageSource {
  readonly prefix = '/api/backtest';

  constructor(private readonly deps: BacktestApiDeps) {}

  async handle(request: PageRequest): Promise<PageResponse> {
    if (!this.deps.auth.allows(request)) {
      return json(401, { error: new TripwireError('TW_UNAUTHORIZED', 'Send Authorization: Bearer <admin token>.').toJSON() });
    }
    if (request.method !== 'POST') return json(400, { error: new TripwireError('TW_QUERY_INVALID', 'A backtest is run with POST and a JSON body.').toJSON() });
    try {
      const input = parse(request.body ?? '');
      const compiler = new ScenarioCompiler();
      const texts = Array.isArray(input.scenarios) ? input.scenarios : [input.scenarios];
      const candidates = texts.flatMap((text, i) => compiler.compileOrThrow(`scenario-${i + 1}.yaml`, text) ?? []);
      const ids = new Set(candidates.map((scenario) => scenario.id));
      const live = input.withLive ? this.deps.live().filter((scenario) => !ids.has(scenario.id)) : [];
      const range = parseRequiredTimeRange(input.from, input.to);
      const report = await runBacktest({
        warehouse: this.deps.warehouse,
        scenarios: [...candidates, ...live],
        report: [...ids],
        sites: this.deps.sites,
        caps: this.deps.caps,
        range,
      });
      return json(200, { events: report.events, days: report.days });
    } catch (error) {
      if (isTripwireError(error) && (error.code === 'TW_QUERY_INVALID' || error.code === 'TW_SCENARIO_INVALID')) return json(400, { error: error.toJSON() });
      this.deps.logger.error({ err: error }, 'backtest failed');
      const failure = isTripwireError(error) ? error : new TripwireError('TW_WAREHOUSE_QUERY', String(error), { cause: error });
      return json(500, { error: failure.toJSON() });
    }
  }
}

function parse(body: string): z.infer<typeof requestSchema> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new TripwireError('TW_QUERY_INVALID', `the body is not JSON: ${(cause as Error).message}`, { cause });
  }
  const result = requestSchema.safeParse(value);
  if (!result.success) throw new TripwireError('TW_QUERY_INVALID', result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  return result.data;
}

function json(status: number, value: unknown): PageResponse {
  return { status, contentType: 'application/json; charset=utf-8', body: `${JSON.stringify(value, null, 2)}\n`, headers: { 'cache-control': 'no-store' } };
}
