import { isTripwireError } from '../errors.js';
import type { PageRequest, PageResponse, PageSource } from '../gateway/index.js';
import type { Logger } from '../observability/index.js';
import type { WarehouseBackend } from '../warehouse/index.js';
import type { AdminAuth } from './admin-auth.js';
import { DASHBOARD_CSS, DASHBOARD_JS } from './dashboard-assets.js';
import { readDashboardData } from './dashboard-data.js';
import { PERIODS, dashboardPage, dashboardPanels, loginPage } from './dashboard-page.js';

export interface DashboardDeps {
  warehouse: WarehouseBackend;
  auth: AdminAuth;
  logger: Logger;
  /**
   * The host of the engine's public URL when it is https: a sign-in that reaches the engine under
   * that name gets a Secure cookie. One at another name (the engine's own address, over plain
   * http on a private network) does not, or the browser would drop it and show the sign-in again.
   * A proxy's X-Forwarded-Proto: https makes it Secure too.
   */
  httpsHost: string | undefined;
  now?: () => number;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const MAX_LOGIN_BODY = 4096;

function html(status: number, body: string, headers: Record<string, string> = {}): PageResponse {
  return { status, contentType: 'text/html; charset=utf-8', body, headers: { ...SECURITY_HEADERS, ...headers } };
}

function redirect(location: string, cookie: string): PageResponse {
  return { status: 302, contentType: 'text/plain; charset=utf-8', body: '', headers: { ...SECURITY_HEADERS, location, 'set-cookie': cookie } };
}

/**
 * The marketers' dashboard at /dashboard: live event rate, triggers and deliveries per scenario,
 * conversion and uplift per variant, the funnel. Signing in (form, or ?token= once) sets an
 * HttpOnly cookie holding the admin token.
 */
export class Dashboard implements PageSource {
  readonly prefix = '/dashboard';

  constructor(private readonly deps: DashboardDeps) {}

  async handle(request: PageRequest): Promise<PageResponse | undefined> {
    const path = request.path.replace(/\/+$/, '') || '/';
    const search = new URLSearchParams(request.query.replace(/^\?/, ''));
    const secure = request.headers['x-forwarded-proto'] === 'https' || (this.deps.httpsHost !== undefined && request.headers.host === this.deps.httpsHost);
    if (path === '/dashboard/dashboard.css') return { status: 200, contentType: 'text/css; charset=utf-8', body: DASHBOARD_CSS, headers: { 'cache-control': 'no-cache' } };
    if (path === '/dashboard/dashboard.js') return { status: 200, contentType: 'text/javascript; charset=utf-8', body: DASHBOARD_JS, headers: { 'cache-control': 'no-cache' } };
    if (path === '/dashboard/login' && request.method === 'POST') return this.signIn(request, secure);
    if (path === '/dashboard/logout') return redirect('/dashboard', this.deps.auth.signOutCookie());
    if (path === '/dashboard' && search.has('token')) {
      if (!this.deps.auth.accepts(search.get('token') ?? '')) return html(401, loginPage('That token is not the admin token.'));
      // The token leaves the address bar (and history) at once; the cookie carries it from now on.
      search.delete('token');
      const rest = search.toString();
      return redirect(`/dashboard${rest ? `?${rest}` : ''}`, this.deps.auth.signInCookie(secure));
    }
    if (path !== '/dashboard' && path !== '/dashboard/panels') return undefined;
    if (!this.deps.auth.allows(request)) return html(401, path === '/dashboard' ? loginPage(undefined) : '');
    const requested = Number(search.get('days'));
    const days = (PERIODS as readonly number[]).includes(requested) ? requested : 30;
    try {
      const data = await readDashboardData(this.deps.warehouse, (this.deps.now ?? Date.now)(), days);
      return html(200, path === '/dashboard' ? dashboardPage(data) : dashboardPanels(data));
    } catch (error) {
      this.deps.logger.error({ err: error }, 'dashboard could not read the warehouse');
      const message = isTripwireError(error) ? `${error.code}: ${error.message}` : String(error);
      return html(503, `<p class="error">The warehouse did not answer (${message.replace(/[<>&]/g, '')}). Retrying shortly.</p>`);
    }
  }

  private signIn(request: PageRequest, secure: boolean): PageResponse {
    const body = request.body ?? '';
    const token = body.length > MAX_LOGIN_BODY ? '' : (new URLSearchParams(body).get('token') ?? '');
    if (!this.deps.auth.accepts(token)) return html(401, loginPage('That token is not the admin token.'));
    return redirect('/dashboard', this.deps.auth.signInCookie(secure));
  }
}
