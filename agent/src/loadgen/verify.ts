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

export function verifyOutputs(paths: string[], manifest: Record<string, number>): VerifyReport {
  const seen = new Map<string, Uint8Array>();
  const last = new Map<string, number>();
  for (const [id, n] of Object.entries(manifest)) seen.set(id, new Uint8Array(n));
  let delivered = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let unknown = 0;
  const visit = (text: string) => {
    TAG.lastIndex = 0;
    for (let m = TAG.exec(text); m !== null; m = TAG.exec(text)) {
      const arr = seen.get(m[1]);
      const n = Number(m[2]);
      if (arr === undefined || n >= arr.length) {
        unknown++;
        continue;
      }
      delivered++;
      if (arr[n] > 0) {
        duplicates++;
        if (arr[n] < 255) arr[n]++;
        continue;
      }
      arr[n] = 1;
      const prev = last.get(m[1]) ?? -1;
      if (n < prev) outOfOrder++;
      last.set(m[1], n);
    }
  };
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
      visit(text.slice(0, cut + 1));
      carry = text.slice(cut + 1);
    }
    visit(carry);
    closeSync(fd);
  }
  let expected = 0;
  let lost = 0;
  const lostSample: string[] = [];
  for (const [id, arr] of seen) {
    expected += arr.length;
    for (let i = 0; i < arr.length; i++)
      if (arr[i] === 0) {
        lost++;
        if (lostSample.length < 20) lostSample.push(`${id}:${i}`);
      }
  }
  return { expected, delivered, lost, duplicates, outOfOrder, lostSample, unknown };
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
