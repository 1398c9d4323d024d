/**
 * The byte layout of a frozen visitor: counts as unsigned varints, times and versions as float64
 * (times are epoch milliseconds, Infinity for a window that never expires as a whole), texts as a
 * varint of their length and form, then a byte per character when all are ASCII, else their UTF-16
 * code units as they are: UTF-8 would turn a lone surrogate (which JSON can carry into a key) into
 * U+FFFD, and the thawed visitor would miss its own state.
 */

const INITIAL_BYTES = 4096;

/** Writes into one scratch buffer, reused by every freeze; `bytes()` copies out what was written. */
export class StateWriter {
  private buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  private length = 0;

  reset(): void {
    this.length = 0;
  }

  count(value: number): void {
    this.reserve(5);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buffer[this.length++] = rest;
  }

  number(value: number): void {
    this.reserve(8);
    this.length = this.buffer.writeDoubleLE(value, this.length);
  }

  text(value: string): void {
    const units = value.length;
    if (isAscii(value)) {
      this.count(units * 2);
      this.reserve(units);
      const buffer = this.buffer;
      const at = this.length;
      for (let i = 0; i < units; i++) buffer[at + i] = value.charCodeAt(i);
      this.length = at + units;
      return;
    }
    this.count(units * 2 + 1);
    this.reserve(units * 2);
    this.length += this.buffer.write(value, this.length, 'utf16le');
  }

  /** A copy of what was written, in a buffer of its own (outside the V8 heap). */
  bytes(): Buffer {
    const copy = Buffer.allocUnsafeSlow(this.length);
    this.buffer.copy(copy, 0, 0, this.length);
    return copy;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Reads what a StateWriter wrote, in the same order. */
export class StateReader {
  private at = 0;

  constructor(private readonly buffer: Buffer) {}

  count(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buffer[this.at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  }

  number(): number {
    const value = this.buffer.readDoubleLE(this.at);
    this.at += 8;
    return value;
  }

  text(): string {
    const form = this.count();
    const start = this.at;
    const units = form >>> 1;
    if ((form & 1) === 0) {
      this.at += units;
      return this.buffer.toString('latin1', start, this.at);
    }
    this.at += units * 2;
    return this.buffer.toString('utf16le', start, this.at);
  }
}
