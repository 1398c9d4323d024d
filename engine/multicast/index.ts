export { SegmentScheduler } from './segment-scheduler.js';
export type { ScheduledDelivery, SegmentSchedulerDeps, SegmentSchedulerOptions, MulticastRun } from './segment-scheduler.js';
export { checkScenarioSchedules, audienceProblem, audienceQueries } from './audience-check.js';
