export { PopinChannel } from './popin-channel.js';
export type { VisitorConnections } from './popin-channel.js';
export { checkScenarioPopins } from './scenario-popin-check.js';
