// The source position of a record: which file (the origin) and the byte offset where the record
// starts in it (for a record joined from CRI partials, docker splits or a multiline group: the
// offset of its first line). Re-reading a file from its checkpoint after a crash or a retry
// yields the same positions, so sinks derive idempotent ids from them (OpenSearch `_id`).
//
// The origin is a short digest of (pipeline id, device, inode, head id). The head id is the CRC32
// of the file's first line (at most FP_LEN bytes): unlike the tailer's growing fingerprint it is
// fixed as soon as the first record exists, so it is the same on every read of the file, while a
// reused inode (a new file with a new first line, CRI timestamps are in ns) gets a new origin.
// The pipeline id keeps two pipelines reading one file into one index apart.
import { createHash } from 'node:crypto';

/** Bytes of an origin digest (72 bits: 12 base64url characters). */
export const ORIGIN_LEN = 9;

/** What a reader knows of its file (the tailer): identity by device+inode and head id. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  /** CRC32 of the first line (≤ FP_LEN bytes); -1 until the first line is complete. */
  readonly headId: number;
}

export function originOf(pipeline: string, dev: number, ino: number, headId: number): Buffer {
  return createHash('sha256').update(`${pipeline}\0${dev}:${ino}:${headId}`).digest().subarray(0, ORIGIN_LEN);
}

/** The same position under another namespace (a dead-letter copy of a record, per output). */
export function deriveOrigin(origin: Buffer, salt: string): Buffer {
  return createHash('sha256').update(origin).update(salt).digest().subarray(0, ORIGIN_LEN);
}

/**
 * A reader's origin, recomputed only when the file identity changes (head id learnt, a
 * copytruncate copy taken over): one comparison per chunk, no allocation per record.
 */
export class OriginCache {
  private readonly pipeline: string;
  private file: FileIdentity | undefined;
  private dev = -1;
  private ino = -1;
  private head = -1;
  private value: Buffer | null = null;
  constructor(pipeline: string) {
    this.pipeline = pipeline;
  }
  bind(file: FileIdentity): void {
    this.file = file;
  }
  /** The current origin; null while the head id is unknown (no complete first line yet). */
  current(): Buffer | null {
    const f = this.file;
    if (f === undefined || f.headId < 0) return null;
    if (f.headId !== this.head || f.ino !== this.ino || f.dev !== this.dev) {
      this.dev = f.dev;
      this.ino = f.ino;
      this.head = f.headId;
      this.value = originOf(this.pipeline, f.dev, f.ino, f.headId);
    }
    return this.value;
  }
}
