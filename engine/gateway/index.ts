export { Gateway } from './gateway.js';
export type { GatewayDeps, GatewayLimits, PageSource, PageRequest, PageResponse } from './gateway.js';
export { SocketRegistry } from './socket-registry.js';
export { loadTrackerAssets } from './static-assets.js';
export type { StaticAsset } from './static-assets.js';
export { decodeFrame } from './decode-frame.js';
export type { DecodeLimits, DecodedFrame, EventProblem } from './decode-frame.js';
export { identityHmac } from './identity-verification.js';
