import { TripwireError, isTripwireError } from '../errors.js';
import { percentDecoded, type PageRequest, type PageResponse, type PageSource } from '../gateway/index.js';
import type { Logger } from '../observability/index.js';
import {
  EXPORT_FORMATS,
  SHIPPED_QUERIES,
  checkParameters,
  contentTypeOf,
  shippedQuery,
  toCsv,
  type AudienceSuppressions,
  type ExportFormat,
  type WarehouseBackend,
} from '../warehouse/index.js';
import type { AdminAuth } from './admin-auth.js';

export interface QueryApiDeps {
  warehouse: WarehouseBackend;
  /** The mailer's suppression list: audiences leave its addresses out. */
  suppressions: AudienceSuppressions;
  auth: AdminAuth;
  logger: Logger;
  now?: () => number;
}

const HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

function json(status: number, value: unknown, extra: Record<string, string> = {}): PageResponse {
  return { status, contentType: 'application/json; charset=utf-8', body: `${JSON.stringify(value, null, 2)}\n`, headers: { ...HEADERS, ...extra } };
}

function problem(status: number, error: TripwireError): PageResponse {
  return json(status, { error: error.toJSON() });
}

/**
 * The shipped analyst queries over HTTP, for scripts and ad platforms:
 *   GET /api/queries                         the list, with parameters
 *   GET /api/queries/<name>?from=..&format=csv   the rows, as JSON (default) or CSV
 * Every request needs `Authorization: Bearer <admin token>` (or the dashboard's cookie).
 */
export class QueryApi implements PageSource {
  readonly prefix = '/api/queries';

  constructor(private readonly deps: QueryApiDeps) {}

  async handle(request: PageRequest): Promise<PageResponse> {
    if (!this.deps.auth.allows(request)) {
      return json(
        401,
        { error: new TripwireError('TW_UNAUTHORIZED', 'Send Authorization: Bearer <admin token> (config admin.token, env TW_ADMIN_TOKEN).').toJSON() },
        { 'www-authenticate': 'Bearer realm="tripwire"' },
      );
    }
    if (request.method !== 'GET') return problem(400, new TripwireError('TW_QUERY_INVALID', 'Queries are read with GET.'));
    const name = request.path.slice(this.prefix.length).replace(/^\/+|\/+$/g, '');
    if (name === '') return json(200, { queries: SHIPPED_QUERIES.map(({ name: id, description, parameters, columns }) => ({ name: id, description, parameters, columns })) });
    try {
      const decoded = percentDecoded(name);
      if (decoded === undefined) throw new TripwireError('TW_QUERY_INVALID', `The query name "${name.slice(0, 80)}" has a malformed percent-escape.`);
      const query = shippedQuery(decoded);
      const search = new URLSearchParams(request.query.replace(/^\?/, ''));
      const { format = 'json', ...params } = Object.fromEntries(search);
      if (!EXPORT_FORMATS.includes(format as ExportFormat)) throw new TripwireError('TW_QUERY_INVALID', `format must be one of ${EXPORT_FORMATS.join(', ')}.`);
      checkParameters(query, params);
      const rows = await query.run(this.deps.warehouse, params, (this.deps.now ?? Date.now)(), this.deps.suppressions);
      if (format === 'csv') {
        return {
          status: 200,
          contentType: contentTypeOf('csv'),
          body: toCsv(rows, query.columns),
          headers: { ...HEADERS, 'content-disposition': `attachment; filename="${query.name}.csv"` },
        };
      }
      return json(200, { query: query.name, rows });
    } catch (error) {
      if (isTripwireError(error) && error.code === 'TW_QUERY_INVALID') return problem(400, error);
      if (isTripwireError(error) && error.code === 'TW_WAREHOUSE_UNAVAILABLE') return problem(503, error);
      this.deps.logger.error({ err: error, path: request.path }, 'analyst query failed');
      const failure = isTripwireError(error) ? error : new TripwireError('TW_WAREHOUSE_QUERY', String(error), { cause: error });
      return problem(500, failure);
    }
  }
}
