export type { EmailRequest, EmailSite, DkimSigning } from './email-request.js';
export type { EmailTransport, OutgoingEmail, SentEmail } from './email-transport.js';
export type { EmailChannelOptions, EmailRenderer } from './email-channel.js';
export { EmailChannel, messageIdOf } from './email-channel.js';
export { EmailLinks, LINK_PATHS, signLinkToken, readLinkToken, trackLinks, withOpenPixel } from './links/index.js';
export type { EmailLinksOptions, LinkSubject, LinkClaim, LinkKind } from './links/index.js';
export { WarehouseRecommender } from './recommendations/index.js';
export type {
  Recommender,
  Recommendation,
  RecommendationRequest,
  RecommendationReason,
  WarehouseRecommenderOptions,
} from './recommendations/index.js';
export { sampleEmailContext } from './sample-context.js';
