export interface HeapEntry<Owner> {
  due: number;
  owner: Owner;
  timer: string;
  /** Matches the live timer's version; a cancelled timer leaves a stale entry behind. */
  version: number;
}

/** A binary min-heap on due time. Stale entries are skipped by the caller (lazy deletion). */
export class TimerHeap<Owner> {
  private items: Array<HeapEntry<Owner>> = [];

  get size(): number {
    return this.items.length;
  }

  clear(): void {
    this.items = [];
  }

  push(entry: HeapEntry<Owner>): void {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.due <= entry.due) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = entry;
  }

  peek(): HeapEntry<Owner> | undefined {
    return this.items[0];
  }

  pop(): HeapEntry<Owner> | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    const n = items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && items[right]!.due < items[left]!.due ? right : left;
      if (items[child]!.due >= last.due) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
