/**
 * The members of a window too big for a linear search: a Map in arrival order, which is time order
 * as long as no event comes late. Then trimming reads only the expired front and counting needs no
 * scan, so an add costs O(1) however full the window. A late member turns the fast path off until
 * the window empties.
 */
export class LargeWindow {
  private readonly members = new Map<string, number>();
  /** Latest time added while in order; meaningless once `ordered` is false. */
  private newest = Number.NEGATIVE_INFINITY;
  private ordered = true;

  /** A window of the members (in arrival order) and their times, at the same positions. */
  static from(members: readonly string[], times: readonly number[]): LargeWindow {
    const window = new LargeWindow();
    for (let i = 0; i < members.length; i++) window.add(members[i]!, times[i]!);
    return window;
  }

  get size(): number {
    return this.members.size;
  }

  add(member: string, at: number): void {
    const members = this.members;
    // Delete first so the member moves to the end of the arrival order, where its new time belongs.
    if (members.has(member)) members.delete(member);
    members.set(member, at);
    if (at >= this.newest) this.newest = at;
    else this.ordered = false;
  }

  /** Every member with its time, in arrival order. */
  forEach(visit: (member: string, at: number) => void): void {
    for (const [member, at] of this.members) visit(member, at);
  }

  timeOf(member: string): number | undefined {
    return this.members.get(member);
  }

  /** Drops members at or before `floor`. */
  trim(floor: number): void {
    const members = this.members;
    if (this.ordered) {
      for (const [member, at] of members) {
        if (at > floor) break;
        members.delete(member);
      }
    } else {
      for (const [member, at] of members) if (at <= floor) members.delete(member);
    }
    if (members.size === 0) {
      this.ordered = true;
      this.newest = Number.NEGATIVE_INFINITY;
    }
  }

  /** Members within `(floor, ceiling]`. */
  count(floor: number, ceiling: number): number {
    const members = this.members;
    if (this.ordered && ceiling >= this.newest) {
      let older = 0;
      for (const at of members.values()) {
        if (at > floor) break;
        older++;
      }
      return members.size - older;
    }
    let count = 0;
    for (const at of members.values()) if (at > floor && at <= ceiling) count++;
    return count;
  }
}
