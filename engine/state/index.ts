export type {
  WindowStore,
  ApplyRequest,
  ApplyResult,
  EventOps,
  EventOutcome,
  StateOp,
  WindowAddOp,
  WindowCountOp,
  TimerArmOp,
  TimerCancelOp,
  TimerCancelPrefixOp,
  HashSetOp,
  HashDeleteOp,
  HashClearOp,
  HashSetIfAbsentOp,
  HashIncrementOp,
  VisitorHash,
  Claim,
  ClaimCheck,
  GateCheck,
  CapCheck,
  ClaimRequest,
  DueTimer,
  VisitorSnapshot,
  RetentionPolicy,
  ClaimOutcome,
  ConditionalClaim,
  ResultCondition,
} from './window-store.js';
export { DEFAULT_RETENTION, CLAIM_GRANTED, CLAIM_NOT_TRIED, TIMER_LEASE_MS, resultMeets } from './window-store.js';
export { MemoryWindowStore } from './memory/memory-window-store.js';
export type {
  InterestIndex,
  InterestKind,
  InterestUpdate,
  InterestNote,
  InterestDrop,
  InterestBounds,
  InterestQuery,
  InterestedVisitor,
} from './interest-index.js';
export { INTEREST_KINDS, DEFAULT_INTEREST_BOUNDS } from './interest-index.js';
export { MemoryInterestIndex } from './memory/memory-interest-index.js';
