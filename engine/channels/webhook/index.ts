export { WebhookChannel } from './webhook-channel.js';
export type { WebhookChannelDeps } from './webhook-channel.js';
export { WEBHOOK_SIGNATURE_HEADER, WEBHOOK_SIGNATURE_TOLERANCE_MS, signWebhook, verifyWebhookSignature } from './webhook-signature.js';
export { webhookOutcome, retryAfterMs } from './webhook-answer.js';
export type { WebhookOutcome } from './webhook-answer.js';
