export type {
  Scenario,
  Trigger,
  CountTrigger,
  AbsenceTrigger,
  EventMatcher,
  PropertyCondition,
  Comparison,
  VisitorFilter,
  Channel,
  Action,
  PopinAction,
  EmailAction,
  WebhookAction,
  Variant,
  JourneyStep,
  GroupedMatcher,
  SequenceTrigger,
  DateTrigger,
  ScheduleTrigger,
  AudienceRef,
} from './model.js';
export { ScenarioCompiler, formatProblems } from './compile/scenario-compiler.js';
export type { ScenarioProblem, CompileResult } from './compile/scenario-compiler.js';
export { checkScenarioFolder, loadScenarioFolder } from './compile/scenario-folder.js';
export { scenarioLineOf } from './compile/scenario-line.js';
export { ScenarioLibrary } from './compile/scenario-library.js';
export type { ScenarioLibraryOptions } from './compile/scenario-library.js';
export type { FolderCheck } from './compile/scenario-folder.js';
export { scenarioFileSchema } from './compile/scenario-schema.js';
export { scenarioJsonSchema } from './compile/json-schema.js';
export { ScenarioEvaluator } from './evaluate/scenario-evaluator.js';
export { scheduleOccurrence } from './evaluate/schedule-occurrence.js';
export type { FramePlan } from './evaluate/scenario-evaluator.js';
export type { Candidate, Prospect, TriggerContext } from './evaluate/trigger-context.js';
export { readCart, hasEmailConsent, hasVerifiedEmail, isIdentified, PROFILE } from './evaluate/visitor-model.js';
export type { CartLine } from './evaluate/visitor-model.js';
export { DeliveryPolicy } from './policies/delivery-policy.js';
export { assignVariant } from './policies/variant-assignment.js';
export type { Verdict, SuppressionReason, PolicyOptions, ChannelCap, Screening, ClaimsAhead } from './policies/delivery-policy.js';
