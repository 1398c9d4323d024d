export { AdminAuth } from './admin-auth.js';
export type { DashboardDeps } from './dashboard.js';
export { Dashboard } from './dashboard.js';
export type { QueryApiDeps } from './query-api.js';
export { QueryApi } from './query-api.js';
