export { TriggerPipeline } from './trigger-pipeline.js';
export type { ScenarioSource, PipelineOptions, PipelineDeps } from './trigger-pipeline.js';
export type { Frame, FrameReply } from './frame.js';
export type { PopinPort, EmailPort, EmailOrder, DeliveryContext, SiteProfile, ProductCatalogue } from './ports.js';
