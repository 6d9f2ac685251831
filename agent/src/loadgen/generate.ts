// Load generator: CRI-format container logs laid out like /var/log/pods, every logical line
// carrying a unique tag `SEQ:<file>:<n>;` so a checker can prove nothing was lost or duplicated.
// The default mix is the BENCHMARKS.md §1 workload: 60 % JSON (~200 B), 33 % plain text, 6.5 %
// Java stack traces (a first line plus 3–8 continuation lines), 0.5 % 17–20 KB lines that the
// runtime splits into 16 KiB `P` records and a final `F`. Optional: small random partial splits
// (to exercise reassembly at arbitrary cut points) and rotation by rename or copytruncate.
import {
  closeSync,
  copyFileSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export interface GeneratorOptions {
  dir: string;
  files: number;
  /** Fraction of events that are JSON / plain / java / long; the rest is plain. */
  mix?: { json: number; plain: number; java: number; long: number };
  /** Split this fraction of short lines into random P pieces. */
  partialFraction?: number;
  rotate?: 'rename' | 'copytruncate';
  /** Rotate a file once it exceeds this many bytes. */
  rotateBytes?: number;
  /** Rotated files kept per container (older ones are deleted). */
  keepRotated?: number;
  seed?: number;
  namespace?: string;
}

export const BENCH_MIX = { json: 0.6, plain: 0.33, java: 0.065, long: 0.005 };
const CRI_SPLIT = 16 * 1024;

/** xorshift32: deterministic, fast. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const WORDS =
  'alpha beta gamma delta request served cache miss upstream latency user order payment retry ok'.split(' ');

class GenFile {
  readonly id: string;
  readonly dir: string;
  readonly path: string;
  fd: number;
  size = 0;
  seq = 0;
  rotations = 0;
  rotated: string[] = [];
  constructor(id: string, dir: string) {
    this.id = id;
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, '0.log');
    this.fd = openSync(this.path, 'a');
  }
}

export class LogGenerator {
  readonly files: GenFile[] = [];
  private readonly o: GeneratorOptions;
  private readonly rand: () => number;
  private clock = Date.UTC(2025, 0, 1) * 1e6;
  private readonly pad: string;
  linesWritten = 0;
  bytesWritten = 0;

  constructor(o: GeneratorOptions) {
    this.o = o;
    this.rand = rng(o.seed ?? 1);
    this.pad = 'x'.repeat(20_000);
    const ns = o.namespace ?? 'bench';
    for (let i = 0; i < o.files; i++) {
      const uid = `0000000${i}-aaaa-bbbb-cccc-${String(i).padStart(12, '0')}`;
      this.files.push(new GenFile(`f${i}`, join(o.dir, `${ns}_app-${i}-7d9f8b6c5-x${i}z_${uid}`, 'app')));
    }
  }

  private ts(): string {
    this.clock += 1000 + Math.floor(this.rand() * 1000);
    const ms = Math.floor(this.clock / 1e6);
    const iso = new Date(ms).toISOString();
    return `${iso.slice(0, 19)}.${String(this.clock % 1e9).padStart(9, '0')}Z`;
  }

  private words(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += `${WORDS[Math.floor(this.rand() * WORDS.length)]} `;
    return s;
  }

  private tag(f: GenFile): string {
    this.linesWritten++;
    return `SEQ:${f.id}:${f.seq++};`;
  }

  /** CRI records of one logical line, split into P pieces as a runtime would. */
  private cri(stream: string, text: string, forceSplit: boolean): string {
    const bytes = Buffer.byteLength(text);
    if (bytes <= CRI_SPLIT && !forceSplit) return `${this.ts()} ${stream} F ${text}\n`;
    let out = '';
    let rest = text;
    while (Buffer.byteLength(rest) > CRI_SPLIT || (forceSplit && rest.length > 1)) {
      const cut =
        forceSplit && Buffer.byteLength(rest) <= CRI_SPLIT
          ? 1 + Math.floor(this.rand() * (rest.length - 1))
          : CRI_SPLIT;
      out += `${this.ts()} ${stream} P ${rest.slice(0, cut)}\n`;
      rest = rest.slice(cut);
      forceSplit = false;
    }
    return `${out}${this.ts()} ${stream} F ${rest}\n`;
  }

  /** One event (1 to 9 logical lines) for file f. */
  event(f: GenFile): string {
    const mix = this.o.mix ?? BENCH_MIX;
    const r = this.rand();
    const split = (this.o.partialFraction ?? 0) > 0 && this.rand() < (this.o.partialFraction ?? 0);
    if (r < mix.json) {
      const msg = `${this.words(6)}${this.tag(f)}`;
      const body = `{"level":"${this.rand() < 0.9 ? 'info' : 'warn'}","ts":${this.clock},"logger":"app.handler","msg":"${msg}","user":"u${Math.floor(this.rand() * 1e5)}","duration_ms":${(this.rand() * 100).toFixed(3)},"path":"/api/v1/items"}`;
      return this.cri('stdout', body, split);
    }
    if (r < mix.json + mix.java) {
      let s = this.cri(
        'stderr',
        `Exception in thread "main" java.lang.IllegalStateException: ${this.words(3)}${this.tag(f)}`,
        false,
      );
      const n = 3 + Math.floor(this.rand() * 6);
      for (let i = 0; i < n; i++)
        s += this.cri(
          'stderr',
          `\tat com.example.service.Handler${i}.process(Handler${i}.java:${10 + i}) ${this.tag(f)}`,
          false,
        );
      return s;
    }
    if (r < mix.json + mix.java + mix.long) {
      const len = 17_000 + Math.floor(this.rand() * 3_000);
      return this.cri('stdout', `${this.tag(f)} ${this.pad.slice(0, len)}`, false);
    }
    return this.cri(
      'stdout',
      `${new Date(this.clock / 1e6).toISOString()} INFO ${this.words(10)}${this.tag(f)}`,
      split,
    );
  }

  /** Append `n` events to file index i, rotating it when configured. */
  write(i: number, n: number): void {
    const f = this.files[i];
    let chunk = '';
    for (let k = 0; k < n; k++) chunk += this.event(f);
    const buf = Buffer.from(chunk);
    let off = 0;
    while (off < buf.length) off += writeSync(f.fd, buf, off, buf.length - off);
    f.size += buf.length;
    this.bytesWritten += buf.length;
    if (this.o.rotate !== undefined && this.o.rotateBytes !== undefined && f.size >= this.o.rotateBytes)
      this.rotate(i);
  }

  rotate(i: number, how = this.o.rotate ?? 'rename'): void {
    const f = this.files[i];
    const name = `${f.path}.${String(++f.rotations).padStart(6, '0')}`;
    if (how === 'rename') {
      closeSync(f.fd);
      renameSync(f.path, name);
      f.fd = openSync(f.path, 'a');
    } else {
      copyFileSync(f.path, name);
      ftruncateSync(f.fd, 0);
    }
    f.size = 0;
    f.rotated.push(name);
    const keep = this.o.keepRotated ?? 5;
    while (f.rotated.length > keep) rmSync(f.rotated.shift()!, { force: true });
  }

  /** Sequence numbers written per file id (0 .. n-1 each). */
  manifest(): Record<string, number> {
    return Object.fromEntries(this.files.map((f) => [f.id, f.seq]));
  }

  close(): void {
    for (const f of this.files) closeSync(f.fd);
  }
}
