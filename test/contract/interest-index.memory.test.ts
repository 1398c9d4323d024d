import { MemoryInterestIndex } from '../../engine/state/index.js';
import { describeInterestIndexContract } from './interest-index.contract.js';

describeInterestIndexContract('MemoryInterestIndex', async (bounds) => {
  const index = new MemoryInterestIndex(bounds);
  return { index, peer: index, close: async () => {} };
});
