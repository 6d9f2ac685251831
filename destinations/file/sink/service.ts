// Appends NDJSON bodies to a file, rotating it by size (path → path.1 → ... → path.N). A write
// error is retryable (disk full, permissions being fixed); the optional fsync makes an ack survive
// a power cut, not only a process kill.
import { type FileHandle, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SendResult, Service } from '../../../agent/src/sinks/types.ts';
import type { FileOptions } from '../../../contract/agent-config/types.ts';

export class FileService implements Service<Buffer[]> {
  private fh: FileHandle | undefined;
  private size = 0;
  private readonly opts: FileOptions;

  constructor(opts: FileOptions) {
    this.opts = opts;
  }

  private async handle(): Promise<FileHandle> {
    if (this.fh === undefined) {
      await mkdir(dirname(this.opts.path), { recursive: true });
      this.fh = await open(this.opts.path, 'a');
      this.size = (await this.fh.stat()).size;
    }
    return this.fh;
  }

  /** One batch as slices of the buffers its events lie in (encode.ts), in one writev. */
  async send(slices: Buffer[]): Promise<SendResult> {
    try {
      let total = 0;
      for (let i = 0; i < slices.length; i++) total += slices[i].length;
      const rot = this.opts.rotateBytes ?? 0;
      if (rot > 0 && this.size > 0 && this.size + total > rot) await this.rotate();
      const fh = await this.handle();
      let rest = slices;
      let left = total;
      while (left > 0) {
        const { bytesWritten } = await fh.writev(rest);
        left -= bytesWritten;
        if (left > 0) rest = remainder(rest, bytesWritten);
      }
      this.size += total;
      if (this.opts.fsync === true) await fh.sync();
      return { status: 'ok' };
    } catch (e) {
      await this.close();
      return { status: 'retry', error: `file ${this.opts.path}: ${(e as Error).message}` };
    }
  }

  private async rotate(): Promise<void> {
    await this.close();
    const n = this.opts.maxFiles ?? 5;
    const p = this.opts.path;
    await rm(`${p}.${n}`, { force: true });
    for (let i = n - 1; i >= 1; i--) {
      const exists = await stat(`${p}.${i}`).then(
        () => true,
        () => false,
      );
      if (exists) await rename(`${p}.${i}`, `${p}.${i + 1}`);
    }
    await rename(p, `${p}.1`);
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => {});
  }
}

/** The slices after the first `n` bytes (a short write). */
function remainder(slices: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (n >= slices[i].length) n -= slices[i++].length;
  return [slices[i].subarray(n), ...slices.slice(i + 1)];
}
