// Pure: events → `_bulk` items. Each item is the action line and the document (the event's
// NDJSON bytes), kept separate so the service can send any subset (a retry of some items, or the
// halves of a request the server finds too large).
//
// Document ids come from the record's source position (record/origin.ts): the origin digest of
// (pipeline, device, inode, head id) in base64url and the byte offset of the record in base 36 —
// the same on a retry and on a re-read after a restart, so those overwrite instead of duplicating,
// while two identical lines (same text, same timestamp) at different offsets stay two documents.
// Not a hash of the offset: ids of one file share their prefix and never collide with each other,
// and prefix-sharing ids are what Lucene's terms index looks up fastest (like OpenSearch's own).
// A record without a position (written to a disk buffer by an agent before positions existed)
// gets no `_id`: OpenSearch generates a unique one, so nothing collapses, at the cost of a
// possible duplicate if that bulk is retried (at-least-once).

import type { Event } from '../../../agent/src/record/record.ts';
import { EventFields } from '../../../agent/src/sinks/shared/fields.ts';
import { compileTemplate } from '../../../agent/src/sinks/shared/template.ts';
import type { Encoder } from '../../../agent/src/sinks/types.ts';
import type { OpensearchOptions } from '../../../contract/agent-config/types.ts';
import { DEFAULT_INDEX } from '../options.ts';

export interface BulkRequest {
  /** Per event: action line + document line, both newline-terminated. */
  items: Buffer[];
  /** Index (or data stream) per item, for error messages. */
  indices: string[];
}

/** The document id of a record with a source position; undefined without one. */
export function documentId(e: Event): string | undefined {
  if (e.origin === null || e.offset < 0) return undefined;
  return `${e.origin.toString('base64url')}${e.offset.toString(36)}`;
}

/** Index names are lower case without `\ / * ? " < > | , #` or spaces, and cannot start with - _ +. */
export function sanitizeIndex(name: string): string {
  let s = name.toLowerCase().replace(/[\\/*?"<>|,# :]/g, '_');
  while (s.length > 0 && '-_+'.includes(s[0])) s = s.slice(1);
  return s === '' ? 'logs' : s.slice(0, 255);
}

export function bulkEncoder(o: OpensearchOptions): Encoder<BulkRequest> {
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
          lastHead = `{"${op}":{"_index":${JSON.stringify(index)}`;
        }
        const id = documentId(e);
        const action = id === undefined ? `${lastHead}}}\n` : `${lastHead},"_id":"${id}"}}\n`;
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
