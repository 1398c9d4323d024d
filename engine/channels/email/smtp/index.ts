export type { SmtpTransportOptions } from './smtp-transport.js';
export { SmtpTransport } from './smtp-transport.js';
