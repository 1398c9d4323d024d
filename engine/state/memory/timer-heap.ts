export interface HeapEntry<Owner> {
  due: number;
  owner: Owner;
  timer: string;
  /** Matches the live timer's version; a cancelled timer leaves a stale entry behind. */
  version: number;
}

/**
 * A binary min-heap on due time. Stale entries are skipped by the caller (lazy deletion). Entries
 * are kept as parallel arrays, not objects: every waiting timer of every visitor has one, and as
 * four array slots it costs no object header and no boxed due time.
 */
export class TimerHeap<Owner> {
  private dues: number[] = [];
  private owners: Owner[] = [];
  private timers: string[] = [];
  private versions: number[] = [];

  get size(): number {
    return this.dues.length;
  }

  clear(): void {
    this.dues = [];
    this.owners = [];
    this.timers = [];
    this.versions = [];
  }

  push(due: number, owner: Owner, timer: string, version: number): void {
    let i = this.dues.length;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.dues[parent]! <= due) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, due, owner, timer, version);
  }

  /** Due time of the earliest entry; Infinity when the heap is empty. */
  peekDue(): number {
    return this.dues.length === 0 ? Number.POSITIVE_INFINITY : this.dues[0]!;
  }

  pop(): HeapEntry<Owner> | undefined {
    if (this.dues.length === 0) return undefined;
    const top: HeapEntry<Owner> = { due: this.dues[0]!, owner: this.owners[0]!, timer: this.timers[0]!, version: this.versions[0]! };
    const due = this.dues.pop()!;
    const owner = this.owners.pop()!;
    const timer = this.timers.pop()!;
    const version = this.versions.pop()!;
    const n = this.dues.length;
    if (n === 0) return top;
    const dues = this.dues;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && dues[right]! < dues[left]! ? right : left;
      if (dues[child]! >= due) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, due, owner, timer, version);
    return top;
  }

  private move(from: number, to: number): void {
    this.set(to, this.dues[from]!, this.owners[from]!, this.timers[from]!, this.versions[from]!);
  }

  private set(i: number, due: number, owner: Owner, timer: string, version: number): void {
    this.dues[i] = due;
    this.owners[i] = owner;
    this.timers[i] = timer;
    this.versions[i] = version;
  }
}
