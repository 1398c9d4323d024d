import { MemoryWindowStore } from '../../engine/state/index.js';
import { describeWindowStoreContract } from './window-store.contract.js';

describeWindowStoreContract('MemoryWindowStore', async ({ clock, retention }) => {
  const store = new MemoryWindowStore(retention, clock);
  return { store, peer: store, close: () => store.close() };
});
