// The checker: reads sink output (NDJSON files) and reports, against the generator's manifest,
// which sequence tags were lost, duplicated, or arrived out of order within their file.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';

export interface VerifyReport {
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  /** A tag seen after a higher tag of the same file, not counting re-deliveries. */
  outOfOrder: number;
  /** Up to 20 lost tags, for the error message. */
  lostSample: string[];
  unknown: number;
}

const TAG = /SEQ:(f\d+):(\d+);/g;

/**
 * Counts sequence tags as they arrive from any sink (file lines, Kafka messages, documents): each
 * tag delivered, repeated, or out of order within its file; the rest of the manifest is lost.
 */
export class Tally {
  private readonly seen = new Map<string, Uint8Array>();
  private readonly last = new Map<string, number>();
  delivered = 0;
  duplicates = 0;
  outOfOrder = 0;
  unknown = 0;
  constructor(manifest: Record<string, number>) {
    for (const [id, n] of Object.entries(manifest)) this.seen.set(id, new Uint8Array(n));
  }
  add(text: string): void {
    TAG.lastIndex = 0;
    for (let m = TAG.exec(text); m !== null; m = TAG.exec(text)) {
      const arr = this.seen.get(m[1]!);
      const n = Number(m[2]);
      if (arr === undefined || n >= arr.length) {
        this.unknown++;
        continue;
      }
      this.delivered++;
      if (arr[n]! > 0) {
        this.duplicates++;
        if (arr[n]! < 255) arr[n]!++;
        continue;
      }
      arr[n] = 1;
      if (n < (this.last.get(m[1]!) ?? -1)) this.outOfOrder++;
      this.last.set(m[1]!, n);
    }
  }
  get expected(): number {
    let n = 0;
    for (const arr of this.seen.values()) n += arr.length;
    return n;
  }
  get lost(): number {
    let n = 0;
    for (const arr of this.seen.values()) for (const v of arr) if (v === 0) n++;
    return n;
  }
  lostSample(max = 10): string[] {
    const out: string[] = [];
    for (const [id, arr] of this.seen)
      for (let i = 0; i < arr.length && out.length < max; i++) if (arr[i] === 0) out.push(`${id}:${i}`);
    return out;
  }
  report(): VerifyReport {
    const { expected, delivered, lost, duplicates, outOfOrder, unknown } = this;
    return { expected, delivered, lost, duplicates, outOfOrder, lostSample: this.lostSample(20), unknown };
  }
}

export function verifyOutputs(paths: string[], manifest: Record<string, number>): VerifyReport {
  const tally = new Tally(manifest);
  const buf = Buffer.allocUnsafe(4 << 20);
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const fd = openSync(p, 'r');
    let carry = '';
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const text = carry + buf.toString('latin1', 0, n);
      const cut = text.lastIndexOf('\n');
      tally.add(text.slice(0, cut + 1));
      carry = text.slice(cut + 1);
    }
    tally.add(carry);
    closeSync(fd);
  }
  return tally.report();
}

/**
 * Duplicates per segment of one output file, where segment i holds the lines starting in
 * [bounds[i], bounds[i + 1]) (the last one runs to the end): the kill test records the file's size
 * at every kill, so segment i is what the agent wrote after the i-th kill, and a record counts as a
 * duplicate in the segment that repeats it.
 */
export function duplicatesBySegment(
  path: string,
  bounds: number[],
  manifest: Record<string, number>,
): number[] {
  const seen = new Map<string, Uint8Array>();
  for (const [id, n] of Object.entries(manifest)) seen.set(id, new Uint8Array(n));
  const dups = bounds.map(() => 0);
  let seg = 0;
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  let carry = '';
  let carryAt = 0; // file offset of carry[0] (latin1: one char per byte)
  const line = (text: string, at: number) => {
    while (seg + 1 < bounds.length && at >= bounds[seg + 1]) seg++;
    TAG.lastIndex = 0;
    for (let m = TAG.exec(text); m !== null; m = TAG.exec(text)) {
      const arr = seen.get(m[1]);
      const n = Number(m[2]);
      if (arr === undefined || n >= arr.length) continue;
      if (arr[n] > 0) dups[seg]++;
      else arr[n] = 1;
    }
  };
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    const text = carry + buf.toString('latin1', 0, n);
    let s = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', s)) {
      line(text.slice(s, nl), carryAt + s);
      s = nl + 1;
    }
    carry = text.slice(s);
    carryAt += s;
  }
  if (carry.length > 0) line(carry, carryAt);
  closeSync(fd);
  return dups;
}
