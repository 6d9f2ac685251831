// The record that flows from a reader through a pipeline's string path (LogRecord, one class so
// V8 keeps one shape), and the event it becomes (Event): its NDJSON line without the newline
// (serialize.ts), built once at the end of the pipeline, usually in a shared arena, and shared by
// every output of it with its acknowledgement hold and source position.
import type { AckGroup } from '../checkpoint/acks.ts';
import type { Arena } from './arena.ts';

/** A container record's `stream`, by the decoder's stream number (STDOUT 0, STDERR 1). */
export const STREAM_NAMES = ['stdout', 'stderr'] as const;

/** A host-file record's `stream`. */
export const HOST_STREAM = 'file';

export interface RecordSource {
  /**
   * Pre-serialized `"pipeline":...,"kubernetes":{...}` (or host file) fragment (serialize.ts
   * sourceFragment), refreshed when metadata changes.
   */
  fragment(): string;
  /** The same as UTF-8 bytes. */
  fragmentBytes(): Buffer;
  readonly namespace: string;
  readonly pod: string;
  readonly podKey: string;
  /** The pipeline's name (the record's `pipeline` field). */
  readonly pipeline: string;
  /** Labels for selectors; undefined when unknown. */
  labels(): Record<string, string> | undefined;
  kubernetes(): Record<string, unknown>;
}

export class LogRecord {
  ts: string;
  stream: string;
  message: string;
  /** Parsed fields (format json/logfmt/regex), or undefined when the body stayed text. */
  fields: Record<string, unknown> | undefined;
  /** fields were parsed from `message` (a JSON object text) and not modified since: splice it. */
  pristine: boolean;
  source: RecordSource;
  /** Bytes cut by truncation (0 = whole). */
  cut: number;
  /** Source position (origin.ts): the file's origin digest, null when unknown. */
  origin: Buffer | null;
  /** Byte offset of the record's first line in its file; -1 without a position. */
  offset: number;

  constructor(
    ts: string,
    stream: string,
    message: string,
    source: RecordSource,
    origin: Buffer | null = null,
    offset = -1,
  ) {
    this.ts = ts;
    this.stream = stream;
    this.message = message;
    this.fields = undefined;
    this.pristine = false;
    this.source = source;
    this.cut = 0;
    this.origin = origin;
    this.offset = offset;
  }
}

/**
 * A serialized event (one NDJSON line without its newline) at buf[off, off + len), usually in a
 * shared arena, and the acknowledgement hold it carries.
 */
export interface Event {
  buf: Buffer;
  off: number;
  len: number;
  group: AckGroup | null;
  /** The arena holding buf, if any: every holder of the event calls `release` once. */
  arena: Arena | null;
  /**
   * Source position (origin.ts): the origin digest of the record's file and the byte offset of
   * its first line, carried through the buffers (the disk WAL persists it) to the sinks, which
   * derive idempotent ids from it. null / -1 for records without one (see origin.ts).
   */
  origin: Buffer | null;
  offset: number;
}

export class OutEvent implements Event {
  buf: Buffer;
  off: number;
  len: number;
  group: AckGroup | null;
  arena: Arena | null;
  origin: Buffer | null;
  offset: number;
  constructor(
    buf: Buffer,
    off: number,
    len: number,
    group: AckGroup | null,
    arena: Arena | null = null,
    origin: Buffer | null = null,
    offset = -1,
  ) {
    this.buf = buf;
    this.off = off;
    this.len = len;
    this.group = group;
    this.arena = arena;
    this.origin = origin;
    this.offset = offset;
  }
}

/** One holder is done with the event (delivered, written to disk, or dropped). */
export function releaseEvent(e: Event): void {
  if (e.group !== null) e.group.release();
  if (e.arena !== null) e.arena.release();
}

/** One more holder (another output, the dead-letter output). */
export function holdEvent(e: Event): void {
  if (e.group !== null) e.group.pending++;
  if (e.arena !== null) e.arena.refs++;
}

/** Test helper and string path: an event from a JS string. */
export function eventOf(
  line: string,
  group: AckGroup | null = null,
  origin: Buffer | null = null,
  offset = -1,
): Event {
  const b = Buffer.from(line, 'utf8');
  return new OutEvent(b, 0, b.length, group, null, origin, offset);
}

export const eventText = (e: Event): string => e.buf.toString('utf8', e.off, e.off + e.len);
