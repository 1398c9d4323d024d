export type { OutboxTransportOptions } from './outbox-transport.js';
export { OutboxTransport } from './outbox-transport.js';
