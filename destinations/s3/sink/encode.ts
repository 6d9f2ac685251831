// Pure: events → one NDJSON object per distinct key prefix. The object key is deterministic —
// `<prefix><UTC time of the first record>-<SHA-256 of the body and the records' source
// positions>.ndjson[.gz]` — so a retried upload of the same records overwrites the same object
// instead of adding a duplicate, while two batches of byte-identical lines (a repeated message
// with the same timestamp) read from different offsets stay two objects.
import { createHash } from 'node:crypto';
import { ORIGIN_LEN } from '../../../agent/src/record/origin.ts';
import type { Event } from '../../../agent/src/record/record.ts';
import { EventFields } from '../../../agent/src/sinks/shared/fields.ts';
import { compileTemplate } from '../../../agent/src/sinks/shared/template.ts';
import type { Encoder } from '../../../agent/src/sinks/types.ts';
import type { S3Options } from '../../../contract/agent-config/types.ts';
import { DEFAULT_KEY_PREFIX } from '../options.ts';

export interface S3Object {
  key: string;
  /** Uncompressed NDJSON. */
  body: Buffer;
  /** Indices of the events in this object. */
  events: number[];
}

export interface S3Request {
  objects: S3Object[];
  count: number;
}

/** Keys are safe in every S3-compatible store: no control characters, no `//`, no leading `/`. */
export function sanitizeKeyPart(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\\{}^%`[\]"<>~#|]/g, '_');
}

export function s3Encoder(o: S3Options): Encoder<S3Request> {
  const template = compileTemplate(o.keyPrefix ?? DEFAULT_KEY_PREFIX);
  const fields = new EventFields();
  const ext = (o.compression ?? 'gzip') === 'gzip' ? '.ndjson.gz' : '.ndjson';
  return {
    encode(events: Event[]): S3Request {
      const groups = new Map<string, { events: number[]; bytes: number; first: string }>();
      for (let i = 0; i < events.length; i++) {
        fields.reset(events[i]);
        const prefix = template.constant
          ? template.source
          : sanitizeKeyPart(template.render(fields, 'unknown'))
              .replace(/^\/+/, '')
              .replace(/\/{2,}/g, '/');
        let g = groups.get(prefix);
        if (g === undefined) {
          const h = fields.utcHour();
          g = { events: [], bytes: 0, first: h };
          groups.set(prefix, g);
        }
        g.events.push(i);
        g.bytes += events[i].len + 1;
      }
      const objects: S3Object[] = [];
      for (const [prefix, g] of groups) {
        const body = Buffer.allocUnsafe(g.bytes);
        let p = 0;
        for (const i of g.events) {
          const e = events[i];
          p += e.buf.copy(body, p, e.off, e.off + e.len);
          body[p++] = 0x0a;
        }
        const pos = Buffer.alloc(g.events.length * (ORIGIN_LEN + 6));
        let q = 0;
        for (const i of g.events) {
          const e = events[i];
          if (e.origin !== null) {
            e.origin.copy(pos, q, 0, ORIGIN_LEN);
            pos.writeUIntLE(e.offset, q + ORIGIN_LEN, 6);
          }
          q += ORIGIN_LEN + 6;
        }
        const hash = createHash('sha256').update(body).update(pos).digest('hex').slice(0, 32);
        const stamp = `${g.first.replace(/[-:]/g, '')}0000Z`;
        objects.push({ key: `${prefix}${stamp}-${hash}${ext}`, body, events: g.events });
      }
      return { objects, count: events.length };
    },
  };
}
