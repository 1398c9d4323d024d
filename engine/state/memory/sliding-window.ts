import { LargeWindow } from './large-window.js';

/** Past this many members a linear search per add would cost more than a Map's memory saves. */
export const SMALL_WINDOW_MEMBERS = 16;

/** Shared by every empty window: never written to, a window replaces it on its first add. */
const NO_MEMBERS: string[] = [];
const NO_TIMES: number[] = [];

/**
 * One sliding window: members scored by time, a member re-added moves (as ZADD does). Every
 * visitor holds several windows and most hold one member, a few up to a dozen: a Map would cost
 * ~200 B each, and box every time it holds. So one member is two fields; a few are two
 * exactly-sized arrays searched linearly (a number[] stores times unboxed); past
 * SMALL_WINDOW_MEMBERS they move to a LargeWindow, so adds stay O(1). An emptied window starts over.
 */
export class SlidingWindow {
  /** The member while the window holds exactly one, and its time. */
  private only: string | undefined = undefined;
  private onlyAt = 0;
  /** Past one member: members in arrival order, and their times at the same positions. */
  private members = NO_MEMBERS;
  private times = NO_TIMES;
  private large: LargeWindow | undefined = undefined;

  constructor(public expiresAt: number) {}

  /** A window of the members (in arrival order, each once) and their times, at the same positions. */
  static of(expiresAt: number, members: readonly string[], times: readonly number[]): SlidingWindow {
    const window = new SlidingWindow(expiresAt);
    if (members.length === 1) {
      window.only = members[0];
      window.onlyAt = times[0]!;
    } else if (members.length > SMALL_WINDOW_MEMBERS) window.large = LargeWindow.from(members, times);
    else if (members.length > 1) {
      window.members = members.slice();
      window.times = times.slice();
    }
    return window;
  }

  get size(): number {
    if (this.only !== undefined) return 1;
    return this.large === undefined ? this.members.length : this.large.size;
  }

  add(member: string, at: number): void {
    if (this.only !== undefined) {
      if (this.only !== member) {
        this.members = [this.only, member];
        this.times = [this.onlyAt, at];
        this.only = undefined;
      } else this.onlyAt = at;
    } else if (this.large !== undefined) {
      this.large.add(member, at);
    } else if (this.members.length === 0) {
      this.only = member;
      this.onlyAt = at;
    } else this.addToFew(member, at);
  }

  /** The member's time, or undefined when it is not in the window. */
  timeOf(member: string): number | undefined {
    if (this.only !== undefined) return this.only === member ? this.onlyAt : undefined;
    if (this.large !== undefined) return this.large.timeOf(member);
    const found = this.members.indexOf(member);
    return found < 0 ? undefined : this.times[found];
  }

  /** Every member with its time, in arrival order. */
  forEach(visit: (member: string, at: number) => void): void {
    if (this.only !== undefined) visit(this.only, this.onlyAt);
    else if (this.large !== undefined) this.large.forEach(visit);
    else for (let i = 0; i < this.members.length; i++) visit(this.members[i]!, this.times[i]!);
  }

  /** Drops members at or before `floor`. */
  trim(floor: number): void {
    if (this.only !== undefined) {
      if (this.onlyAt <= floor) this.only = undefined;
    } else if (this.large !== undefined) {
      this.large.trim(floor);
      if (this.large.size === 0) this.large = undefined;
    } else this.trimFew(floor);
  }

  /** Members within `(floor, ceiling]`. */
  count(floor: number, ceiling: number): number {
    if (this.only !== undefined) return this.onlyAt > floor && this.onlyAt <= ceiling ? 1 : 0;
    if (this.large !== undefined) return this.large.count(floor, ceiling);
    const times = this.times;
    let count = 0;
    for (let i = 0; i < times.length; i++) {
      const at = times[i]!;
      if (at > floor && at <= ceiling) count++;
    }
    return count;
  }

  private addToFew(member: string, at: number): void {
    const members = this.members;
    const times = this.times;
    const last = members.length - 1;
    const found = members.indexOf(member);
    if (found >= 0) {
      // Moves to the end of the arrival order, where its new time belongs.
      const kept = members[found]!;
      for (let i = found; i < last; i++) {
        members[i] = members[i + 1]!;
        times[i] = times[i + 1]!;
      }
      members[last] = kept;
      times[last] = at;
    } else if (last + 1 < SMALL_WINDOW_MEMBERS) {
      // concat makes the exact length; push would reserve room for 16 more.
      this.members = members.concat(member);
      this.times = times.concat(at);
    } else {
      this.large = LargeWindow.from(members, times);
      this.large.add(member, at);
      this.members = NO_MEMBERS;
      this.times = NO_TIMES;
    }
  }

  private trimFew(floor: number): void {
    const members = this.members;
    const times = this.times;
    const size = members.length;
    let kept = 0;
    for (let i = 0; i < size; i++) {
      const at = times[i]!;
      if (at <= floor) continue;
      if (kept !== i) {
        members[kept] = members[i]!;
        times[kept] = at;
      }
      kept++;
    }
    if (kept === size) return;
    if (kept === 1) {
      this.only = members[0];
      this.onlyAt = times[0]!;
    }
    if (kept <= 1) {
      this.members = NO_MEMBERS;
      this.times = NO_TIMES;
      return;
    }
    members.length = kept;
    times.length = kept;
  }
}
