export { trackPageViews } from './page-views.js';
