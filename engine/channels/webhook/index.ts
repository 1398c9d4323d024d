export { WebhookChannel } from './webhook-channel.js';
export type { WebhookChannelDeps } from './webhook-channel.js';
