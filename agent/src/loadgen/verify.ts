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
