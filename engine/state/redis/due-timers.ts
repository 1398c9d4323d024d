import { TripwireError } from '../../errors.js';
import type { RedisConnection } from '../../redis/index.js';
import { TIMER_LEASE_MS, type DueTimer } from '../window-store.js';
import { replyArray, replyNumber, replyString } from './replies.js';
import type { StoreScripts } from './scripts.js';
import { DueIndexKeys, VisitorKeys, visitorOfDueMember, type KeyNames } from './visitor-keys.js';

/**
 * How long a taker holds a visitor before another may take it over. Far above one take's
 * duration; it only matters when a taker dies between leasing and settling. (A taken timer has a
 * lease of its own, TIMER_LEASE_MS, which runs until its firing is delivered.)
 */
export const VISITOR_LEASE_MS = 60_000;

interface VisitorTake {
  member: string;
  timers: DueTimer[];
  /** '' when the visitor has no timer left. */
  earliest: string;
}

/**
 * Finds due timers across visitors. The due index holds, per visitor with timers, a score at
 * or before that visitor's earliest due (never later, so no timer is missed; earlier only
 * costs one look). Arming lowers it with ZADD LT; taking leases the visitor, moves its due
 * timers to its leased hash in its own slot, then settles it back at its earliest remaining due,
 * or at the end of the timers' lease, when an unsettled one must be taken again.
 */
export class DueTimers {
  private readonly index: DueIndexKeys;

  constructor(
    private readonly client: RedisConnection,
    private readonly scripts: StoreScripts,
    private readonly prefix: string,
    private readonly names: KeyNames,
  ) {
    this.index = new DueIndexKeys(prefix);
  }

  /**
   * Sent after the apply script of the frames that armed these timers (on one node, on the same
   * connection; on a cluster, once the scripts answered), so it lands after the timers exist; a
   * taker that sees an entry earlier just finds nothing due yet. One ZADD LT for a whole batch:
   * per visitor, its earliest due.
   */
  offer(arms: ReadonlyMap<string, number>): Promise<unknown> {
    const command = ['ZADD', this.index.due, 'LT'];
    for (const [member, due] of arms) command.push(String(due), member);
    return this.client.send(this.index.due, command);
  }

  async take(now: number, limit: number): Promise<DueTimer[]> {
    const taken: DueTimer[] = [];
    // Each pass takes a timer or settles its visitors past now, so the loop ends.
    while (taken.length < limit) {
      let pass: DueTimer[] | undefined;
      try {
        pass = await this.takePass(now, limit - taken.length);
      } catch (error) {
        // Timers taken by earlier passes are leased to this caller: hand them over; the error comes back at the next poll.
        if (taken.length > 0) break;
        throw error;
      }
      if (pass === undefined) break;
      taken.push(...pass);
    }
    return taken.sort((a, b) => a.due - b.due);
  }

  /**
   * Three round trips whatever the number of visitors: lease, take (pipelined), settle. Undefined
   * when no visitor is due. Visitors whose take failed stay leased and are looked at again once
   * their lease ends; the others' timers, already leased to this caller, are returned, not dropped.
   */
  private async takePass(now: number, budget: number): Promise<DueTimer[] | undefined> {
    const leased = replyArray(
      await this.client.script(this.scripts.leaseDue, [this.index.due, this.index.leases], [
        String(now),
        String(budget),
        String(now + VISITOR_LEASE_MS),
      ]),
      'lease-due',
    ).map((member) => replyString(member, 'lease-due'));
    if (leased.length === 0) return undefined;

    // A visitor with more due timers than its share is settled at a due score <= now: the next pass takes the rest.
    const share = Math.floor(budget / leased.length);
    const outcomes = await Promise.allSettled(leased.map((member) => this.takeVisitor(member, now, share)));
    const takes = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    if (takes.length > 0) {
      await this.client.script(this.scripts.settleDue, [this.index.due, this.index.leases], takes.flatMap((take) => [take.member, take.earliest]));
    }
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined && takes.length === 0) {
      throw new TripwireError('TW_STORE_UNAVAILABLE', 'Taking due timers from Redis failed.', {
        cause: failed.reason,
      });
    }
    return takes.flatMap((take) => take.timers);
  }

  /** One script call per visitor (its leased hash is in its slot), all in flight at once. */
  async settle(timers: readonly DueTimer[]): Promise<void> {
    const byVisitor = new Map<string, { keys: VisitorKeys; args: string[] }>();
    for (const timer of timers) {
      const keys = new VisitorKeys(this.prefix, timer.visitor, this.names);
      let call = byVisitor.get(keys.leased);
      if (call === undefined) {
        call = { keys, args: [] };
        byVisitor.set(keys.leased, call);
      }
      call.args.push(timer.timer, String(timer.due), String(timer.leaseUntil));
    }
    await Promise.all([...byVisitor.values()].map((call) => this.client.script(this.scripts.settleTimers, [call.keys.leased], call.args)));
  }

  private async takeVisitor(member: string, now: number, max: number): Promise<VisitorTake> {
    const visitor = visitorOfDueMember(member);
    const keys = new VisitorKeys(this.prefix, visitor, this.names);
    const leaseUntil = now + TIMER_LEASE_MS;
    const reply = replyArray(
      await this.client.script(this.scripts.takeTimers, [keys.timers, keys.leased], [
        String(now),
        String(max),
        String(leaseUntil),
      ]),
      'take-timers',
    );
    const flat = replyArray(reply[0], 'take-timers');
    const timers: DueTimer[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      timers.push({
        visitor,
        timer: replyString(flat[i], 'take-timers'),
        due: replyNumber(flat[i + 1], 'take-timers'),
        payload: replyString(flat[i + 2], 'take-timers'),
        leaseUntil,
      });
    }
    return { member, timers, earliest: replyString(reply[1], 'take-timers') };
  }
}
