import { MemoryWindowStore } from '../../engine/state/index.js';
import { FrozenBetweenCalls } from '../support/frozen-between-calls.js';
import { describeWindowStoreContract } from './window-store.contract.js';

describeWindowStoreContract('MemoryWindowStore', async ({ clock, retention }) => {
  const store = new MemoryWindowStore(retention, clock);
  return { store, peer: store, close: () => store.close() };
});

// Freezing must change nothing the contract can see.
describeWindowStoreContract('MemoryWindowStore, every visitor frozen between calls', async ({ clock, retention }) => {
  const store = new FrozenBetweenCalls(new MemoryWindowStore(retention, clock));
  return { store, peer: store, close: () => store.close() };
});
