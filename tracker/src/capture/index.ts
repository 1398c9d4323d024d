export { STRING_MAX, trackPageViews } from './page-views.js';
