export { EmailLinks, LINK_PATHS } from './email-links.js';
export type { EmailLinksOptions, LinkSubject } from './email-links.js';
export { signLinkToken, readLinkToken } from './link-token.js';
export type { LinkClaim, LinkKind } from './link-token.js';
export { trackLinks, withOpenPixel } from './tracked-html.js';
