// Durable per-(pipeline, file) read positions (and per output of the pipeline, see Checkpoint). One JSON document in the data directory, written
// crash-safely (temp file + fsync + rename + fsync of the directory), so a SIGKILL at any moment
// leaves either the previous or the next complete state. Saves coalesce: at most one write in
// flight; `flush()` resolves once every change made before the call is on disk.
//
// A checkpoints.json that cannot be used (not JSON, not the expected shape, unreadable) is logged
// with its path and the problem, counted, renamed to `checkpoints.json.corrupt-<ms>` for
// inspection, and the agent starts without positions: at-least-once, so active files are re-read
// from their head (duplicates) and rotated files changed after the damaged file was last written
// are read too; see docs/agent.md "Checkpoints".
import {
  closeSync,
  fsync,
  mkdirSync,
  openSync,
  readFileSync,
  rename,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../ops/catalogue.ts';
import { watchdog } from '../ops/watchdog.ts';

export interface Checkpoint {
  pipeline: string;
  path: string;
  dev: number;
  ino: number;
  /** CRC32 of the first fpLen bytes (the head fingerprint); fpLen 0 = not yet known. */
  fpLen: number;
  fpCrc: number;
  /** Where reading resumes: the least offset any output of the pipeline acknowledged. */
  offset: number;
  /**
   * Per output id, the offset it acknowledged, when the pipeline has more than one output: an
   * output ahead of `offset` is not sent the records before its own again after a restart.
   */
  outputs?: Record<string, number>;
  /** ms since epoch of the last update. */
  updated: number;
}

interface Doc {
  version: 1;
  savedAt: number;
  checkpoints: Checkpoint[];
}

/** Why the stored positions could not be used at start (`reason` of sluice_checkpoint_load_failures_total). */
export type CheckpointLoadFailure = 'corrupt' | 'unreadable';

export interface CheckpointStoreOptions {
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
  /** Called once when the positions on disk could not be used. */
  loadFailed?: (reason: CheckpointLoadFailure) => void;
}

/** The parsed document, or a description of what is wrong with it. */
function checkDoc(doc: unknown): string | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'not a JSON object';
  const cps = (doc as { checkpoints?: unknown }).checkpoints;
  if (!Array.isArray(cps)) return '"checkpoints" is not an array';
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] as Partial<Checkpoint> | null;
    if (
      typeof c !== 'object' ||
      c === null ||
      typeof c.pipeline !== 'string' ||
      typeof c.dev !== 'number' ||
      typeof c.ino !== 'number'
    )
      return `checkpoints[${i}] lacks pipeline, dev or ino`;
  }
  return undefined;
}

const fsyncAsync = (fd: number) =>
  new Promise<void>((resolve, reject) => fsync(fd, (e) => (e === null ? resolve() : reject(e))));

export const checkpointKey = (pipeline: string, dev: number, ino: number): string =>
  `${pipeline}\u0000${dev}:${ino}`;

export class CheckpointStore {
  private readonly file: string;
  private readonly dir: string;
  readonly entries = new Map<string, Checkpoint>();
  /** When the previous agent run last saved (0 = never): rotated files newer than this were unseen. */
  readonly previousSave: number;
  private generation = 0;
  private savedGeneration = 0;
  private saving: Promise<void> | undefined;
  private scheduled = false;
  private waiters: { gen: number; resolve: () => void }[] = [];
  saves = 0;
  onError: (e: Error) => void = () => {};

  /** Where an unusable checkpoints.json was moved at start (for inspection), if it was. */
  readonly setAside: string | undefined;

  constructor(dataDir: string, opts: CheckpointStoreOptions = {}) {
    this.dir = dataDir;
    this.file = join(dataDir, 'checkpoints.json');
    mkdirSync(dataDir, { recursive: true });
    let prev = 0;
    let text: string | undefined;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        opts.log?.('error', 'checkpoints unreadable; starting without positions (files are re-read)', {
          code: ErrorCode.checkpointCorrupt,
          path: this.file,
          err: (e as Error).message,
        });
        opts.loadFailed?.('unreadable');
      }
    }
    if (text !== undefined) {
      let problem: string | undefined;
      let doc: Doc | undefined;
      try {
        doc = JSON.parse(text) as Doc;
        problem = checkDoc(doc);
      } catch (e) {
        problem = `not valid JSON: ${(e as Error).message}`;
      }
      if (problem === undefined) {
        for (const c of doc!.checkpoints) this.entries.set(checkpointKey(c.pipeline, c.dev, c.ino), c);
        prev = typeof doc!.savedAt === 'number' ? doc!.savedAt : 0;
      } else {
        // Positions unknown: re-read rather than skip (at-least-once). The damaged file's mtime is
        // when the previous run last saved, so rotated files written after it are read as unseen.
        let mtime = 0;
        try {
          mtime = statSync(this.file).mtimeMs;
        } catch {}
        const aside = `${this.file}.corrupt-${Date.now()}`;
        try {
          renameSync(this.file, aside);
          this.setAside = aside;
        } catch {}
        prev = Math.floor(mtime);
        opts.log?.(
          'error',
          'checkpoints corrupt; set aside, starting without positions: active files are re-read from their head (duplicates)',
          {
            code: ErrorCode.checkpointCorrupt,
            path: this.file,
            problem,
            bytes: Buffer.byteLength(text),
            setAside: this.setAside,
          },
        );
        opts.loadFailed?.('corrupt');
      }
    }
    this.previousSave = prev;
  }

  get(pipeline: string, dev: number, ino: number): Checkpoint | undefined {
    return this.entries.get(checkpointKey(pipeline, dev, ino));
  }

  /** Checkpoints of a pipeline whose fingerprint matches (a copy made by copytruncate, or a moved file). */
  findByFingerprint(pipeline: string, fpLen: number, fpCrc: number): Checkpoint | undefined {
    for (const c of this.entries.values())
      if (c.pipeline === pipeline && c.fpLen === fpLen && c.fpCrc === fpCrc && fpLen > 0) return c;
    return undefined;
  }

  set(c: Checkpoint): void {
    this.entries.set(checkpointKey(c.pipeline, c.dev, c.ino), c);
    this.generation++;
  }

  delete(pipeline: string, dev: number, ino: number): void {
    if (this.entries.delete(checkpointKey(pipeline, dev, ino))) this.generation++;
  }

  /**
   * Mark changed (an entry object was mutated in place). The save starts after the current task:
   * an output's commit moves the offsets of several files in one go (one touch per file), and
   * they go to disk in one write instead of one write for the first and another for the rest.
   */
  touch(): void {
    this.generation++;
    if (this.saving === undefined && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        if (this.saving === undefined && this.savedGeneration < this.generation) this.saving = this.loop();
      });
    }
  }

  /** Resolves when all changes so far are durable. */
  flush(): Promise<void> {
    if (this.savedGeneration >= this.generation) return Promise.resolve();
    const p = new Promise<void>((resolve) => this.waiters.push({ gen: this.generation, resolve }));
    if (this.saving === undefined && !this.scheduled) this.saving = this.loop();
    return p;
  }

  private async loop(): Promise<void> {
    try {
      while (this.savedGeneration < this.generation) {
        const gen = this.generation;
        try {
          await watchdog.track('checkpoint write', this.write());
          this.savedGeneration = gen;
        } catch (e) {
          this.onError(e as Error);
          await new Promise((r) => setTimeout(r, 500));
        }
        const ready = this.waiters.filter((w) => w.gen <= this.savedGeneration);
        this.waiters = this.waiters.filter((w) => w.gen > this.savedGeneration);
        for (const w of ready) w.resolve();
      }
    } finally {
      this.saving = undefined;
    }
  }

  private async write(): Promise<void> {
    const doc: Doc = { version: 1, savedAt: Date.now(), checkpoints: [...this.entries.values()] };
    const tmp = `${this.file}.tmp`;
    // What waits for the disk (the two fsyncs, and the rename, which waits on the journal: ~0.3 ms
    // on the section-1 workload's disk) goes to libuv's thread pool; opening, writing a few kB to
    // the page cache and closing are quick calls made here. Each trip through the pool costs a
    // futex wake, an eventfd write and an epoll round on both sides: eight per save were most of
    // the agent's system time in the section-1 benchmark, three now.
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, JSON.stringify(doc));
      await fsyncAsync(fd);
    } finally {
      closeSync(fd);
    }
    await new Promise<void>((resolve, reject) =>
      rename(tmp, this.file, (e) => (e === null ? resolve() : reject(e))),
    );
    // The rename is durable once the directory is.
    const d = openSync(this.dir, 'r');
    try {
      await fsyncAsync(d);
    } finally {
      closeSync(d);
    }
    this.saves++;
  }
}
