// Record fields for templates, topics and keys, read from a serialized event by the API's field
// names (`kubernetes.namespace`, `kubernetes.podUid`, `kubernetes.labels.app.kubernetes.io/name`,
// parsed fields like `level`). The event is parsed lazily, once, and only when a field is asked
// for; the UTC date comes straight from the leading `"timestamp"` bytes without parsing.
import type { Event } from '../../record/record.ts';
import { EVENT_OPEN, SOURCE_KEY } from '../../record/serialize.ts';

const TS_PREFIX = EVENT_OPEN;

/**
 * A value at a dotted path. Keys may themselves contain dots (label keys like
 * `app.kubernetes.io/name`), so at each level the whole remaining path is tried first, then every
 * prefix ending at a dot.
 */
export function lookup(obj: unknown, path: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  const o = obj as Record<string, unknown>;
  if (path in o) return o[path];
  for (let i = path.indexOf('.'); i > 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (head in o) {
      const v = lookup(o[head], path.slice(i + 1));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

/** A scalar as text; objects and arrays and null count as missing. */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

const K8S_KEY = Buffer.from(`"${SOURCE_KEY.container}":{`);
const FRAGMENT_CACHE = 4096;
const HEAD_BYTES = 192;
const RECENT = 8;

/**
 * End (exclusive) of the JSON object starting at `start` (a `{`), skipping strings; -1 if the
 * bytes end first.
 */
function objectEnd(b: Buffer, start: number, end: number): number {
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c === 0x22) {
      for (i++; i < end && b[i] !== 0x22; i++) if (b[i] === 0x5c) i++;
    } else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) return i + 1;
  }
  return -1;
}

export class EventFields {
  private e: Event | undefined;
  private parsed: unknown;
  private done = false;
  private k8s: unknown;
  private k8sDone = false;
  /** Parsed `kubernetes` objects by their text: the pipeline emits one fragment per pod. */
  private readonly fragments = new Map<string, unknown>();
  /** The last few fragments as bytes, most recent first. */
  private readonly recent: { bytes: Buffer; value: unknown }[] = [];

  reset(e: Event): this {
    this.e = e;
    this.done = false;
    this.parsed = undefined;
    this.k8sDone = false;
    this.k8s = undefined;
    return this;
  }

  /**
   * The record's `kubernetes` object without parsing the record: it is found in the head of the
   * event and parsed once per distinct fragment.
   */
  private kubernetes(): unknown {
    if (!this.k8sDone) {
      this.k8sDone = true;
      this.k8s = this.findKubernetes();
    }
    return this.k8s;
  }

  private findKubernetes(): unknown {
    const e = this.e!;
    const end = e.off + e.len;
    const head = Math.min(end, e.off + HEAD_BYTES);
    // It follows "timestamp" and "stream" at the head of the event (record/serialize.ts). The
    // search may run past the event into the arena: a hit beyond the head does not count.
    const at = e.buf.indexOf(K8S_KEY, e.off);
    if (at < 0 || at + K8S_KEY.length > head) return lookup(this.object(), 'kubernetes');
    const s = at + K8S_KEY.length - 1;
    // The fragments seen last (consecutive events mostly come from the same few files): equal
    // bytes up to the closing brace of a complete object are the same object, no scan, no string.
    const recent = this.recent;
    for (let i = 0; i < recent.length; i++) {
      const r = recent[i];
      const n = r.bytes.length;
      if (s + n <= end && e.buf.compare(r.bytes, 0, n, s, s + n) === 0) return r.value;
    }
    const stop = objectEnd(e.buf, s, end);
    if (stop < 0) return lookup(this.object(), 'kubernetes');
    const text = e.buf.toString('utf8', s, stop);
    let v = this.fragments.get(text);
    if (v === undefined) {
      try {
        v = JSON.parse(text);
      } catch {
        v = null;
      }
      if (this.fragments.size >= FRAGMENT_CACHE) this.fragments.clear();
      this.fragments.set(text, v);
    }
    if (recent.length >= RECENT) recent.pop();
    recent.unshift({ bytes: Buffer.from(e.buf.subarray(s, stop)), value: v });
    return v;
  }

  private object(): unknown {
    if (!this.done) {
      this.done = true;
      const e = this.e!;
      try {
        this.parsed = JSON.parse(e.buf.toString('utf8', e.off, e.off + e.len));
      } catch {
        this.parsed = undefined;
      }
    }
    return this.parsed;
  }

  get(path: string): string | undefined {
    if (path.startsWith('kubernetes.')) {
      const k = this.kubernetes();
      if (k !== undefined && k !== null) return scalarText(lookup(k, path.slice(11)));
    }
    return scalarText(lookup(this.object(), path));
  }

  /** `YYYY-MM-DDTHH` in UTC of the record's timestamp (now when it has none). */
  utcHour(now: () => number = Date.now): string {
    const e = this.e!;
    const b = e.buf;
    let ts: string | undefined;
    if (
      e.len > TS_PREFIX.length + 20 &&
      b.toString('latin1', e.off, e.off + TS_PREFIX.length) === TS_PREFIX
    ) {
      const s = e.off + TS_PREFIX.length;
      const end = b.indexOf(0x22, s);
      if (end > s && end < e.off + e.len) ts = b.toString('latin1', s, end);
    }
    if (ts !== undefined && ts.length >= 13 && ts.endsWith('Z')) return ts.slice(0, 13);
    const ms = ts !== undefined ? Date.parse(ts) : Number.NaN;
    return new Date(Number.isNaN(ms) ? now() : ms).toISOString().slice(0, 13);
  }
}
