import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSuppressionList } from '../../engine/mailer/file/index.js';
import { describeSuppressionListContract } from './suppression-list.contract.js';

describeSuppressionListContract('FileSuppressionList', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tripwire-suppressions-'));
  const list = await FileSuppressionList.open(join(dir, 'suppressions.ndjson'));
  return {
    list,
    peer: list,
    close: async () => {
      await list.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
