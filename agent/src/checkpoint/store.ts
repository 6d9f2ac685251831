// Durable per-(pipeline, file) read positions (and per output of the pipeline, see Checkpoint). One JSON document in the data directory, written
// crash-safely (temp file + fsync + rename + fsync of the directory), so a SIGKILL at any moment
// leaves either the previous or the next complete state. Saves coalesce: at most one write in
// flight; `flush()` resolves once every change made before the call is on disk.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
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
  private waiters: { gen: number; resolve: () => void }[] = [];
  saves = 0;
  onError: (e: Error) => void = () => {};

  constructor(dataDir: string) {
    this.dir = dataDir;
    this.file = join(dataDir, 'checkpoints.json');
    mkdirSync(dataDir, { recursive: true });
    let prev = 0;
    try {
      const doc = JSON.parse(readFileSync(this.file, 'utf8')) as Doc;
      for (const c of doc.checkpoints) this.entries.set(checkpointKey(c.pipeline, c.dev, c.ino), c);
      prev = doc.savedAt;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(e as Error);
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

  /** Mark changed (an entry object was mutated in place). */
  touch(): void {
    this.generation++;
    if (this.saving === undefined) this.saving = this.loop();
  }

  /** Resolves when all changes so far are durable. */
  flush(): Promise<void> {
    if (this.savedGeneration >= this.generation) return Promise.resolve();
    const p = new Promise<void>((resolve) => this.waiters.push({ gen: this.generation, resolve }));
    if (this.saving === undefined) this.saving = this.loop();
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
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify(doc));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
    const d = openSync(this.dir, 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
    this.saves++;
  }
}
