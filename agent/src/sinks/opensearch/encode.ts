// Pure: events → `_bulk` items. Each item is the action line and the document (the event's
// NDJSON bytes), kept separate so the service can send any subset (a retry of some items, or the
// halves of a request the server finds too large). Document ids are deterministic — a SHA-256 of
// the record's bytes, which carry its CRI timestamp (ns), stream, pod and container identity and
// body — so a retried or re-read record overwrites itself instead of duplicating.
import { createHash } from 'node:crypto';
import type { Event } from '../../engine/record.ts';
import { EventFields } from '../shared/fields.ts';
import { compileTemplate } from '../shared/template.ts';
import type { Encoder } from '../types.ts';
import { DEFAULT_INDEX, type OpenSearchOptions } from './config.ts';

export interface BulkRequest {
  /** Per event: action line + document line, both newline-terminated. */
  items: Buffer[];
  /** Index (or data stream) per item, for error messages. */
  indices: string[];
}

export function documentId(e: Event): string {
  return createHash('sha256')
    .update(e.buf.subarray(e.off, e.off + e.len))
    .digest('base64url')
    .slice(0, 22);
}

/** Index names are lower case without `\ / * ? " < > | , #` or spaces, and cannot start with - _ +. */
export function sanitizeIndex(name: string): string {
  let s = name.toLowerCase().replace(/[\\/*?"<>|,# :]/g, '_');
  while (s.length > 0 && '-_+'.includes(s[0])) s = s.slice(1);
  return s === '' ? 'logs' : s.slice(0, 255);
}

export function bulkEncoder(o: OpenSearchOptions): Encoder<BulkRequest> {
  const op = o.dataStream !== undefined ? 'create' : 'index';
  const template = compileTemplate(o.dataStream ?? o.index ?? DEFAULT_INDEX);
  const fields = new EventFields();
  const fixed = template.constant ? sanitizeIndex(template.source) : undefined;
  return {
    encode(events: Event[]): BulkRequest {
      const items: Buffer[] = new Array(events.length);
      const indices: string[] = new Array(events.length);
      let last = '';
      let lastHead = '';
      for (let i = 0; i < events.length; i++) {
        const e = events[i];
        const index = fixed ?? sanitizeIndex(template.render(fields.reset(e), 'unknown'));
        if (index !== last) {
          last = index;
          lastHead = `{"${op}":{"_index":${JSON.stringify(index)},"_id":"`;
        }
        const action = `${lastHead}${documentId(e)}"}}\n`;
        const alen = Buffer.byteLength(action);
        const b = Buffer.allocUnsafe(alen + e.len + 1);
        b.write(action, 0, 'utf8');
        e.buf.copy(b, alen, e.off, e.off + e.len);
        b[b.length - 1] = 0x0a;
        items[i] = b;
        indices[i] = index;
      }
      return { items, indices };
    },
  };
}
