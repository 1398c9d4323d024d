import { MemorySuppressionList } from '../../engine/mailer/index.js';
import { describeSuppressionListContract } from './suppression-list.contract.js';

describeSuppressionListContract('MemorySuppressionList', async () => {
  const list = new MemorySuppressionList();
  return { list, peer: list, close: () => list.close() };
});
