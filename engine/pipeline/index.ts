export { TriggerPipeline } from './trigger-pipeline.js';
export type { ScenarioSource, PipelineOptions, PipelineDeps } from './trigger-pipeline.js';
export type { Frame, FrameReply } from './frame.js';
export type { PopinOutcome, PopinPort, EmailPort, EmailOrder, DeliveryContext, SiteProfile, ProductCatalogue, WebhookOrder, WebhookPort } from './ports.js';
export { EventReplay, CollectingSink, createReplayPipeline } from './replay/index.js';
export type { ReplayPipeline, ReplayPipelineOptions } from './replay/index.js';
export { eventRow, eventFromRow } from './operators/event-rows.js';
export type { StoredEvent } from './operators/event-rows.js';
