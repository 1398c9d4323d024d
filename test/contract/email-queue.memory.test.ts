import type { EmailJob } from '../../engine/mailer/index.js';
import { MemorySendLedger } from '../../engine/mailer/index.js';
import { MemoryJobQueue } from '../../engine/queue/index.js';
import { describeEmailQueueContract } from './email-queue.contract.js';

describeEmailQueueContract('in-process mailer store', async (clock) => {
  const queue = new MemoryJobQueue<EmailJob>({ clock });
  const ledger = new MemorySendLedger({ clock });
  return {
    queue,
    peer: queue,
    ledger,
    peerLedger: ledger,
    passTime: async (ms) => clock.advance(ms),
    close: async () => {
      await queue.close();
      await ledger.close();
    },
  };
});
