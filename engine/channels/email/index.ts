export type { EmailRequest, EmailSite } from './email-request.js';
export type { EmailTransport, OutgoingEmail, SentEmail } from './email-transport.js';
export type { EmailChannelOptions, EmailRenderer } from './email-channel.js';
export { EmailChannel, messageIdOf } from './email-channel.js';
export { TriggerEmailPort } from './trigger-email-port.js';
