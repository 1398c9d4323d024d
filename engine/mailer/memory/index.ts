export { MemorySendLedger } from './memory-send-ledger.js';
export { MemorySuppressionList } from './memory-suppression-list.js';
