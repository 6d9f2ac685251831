// Pure: events → Kafka messages. The value is the event's NDJSON bytes (a view, no copy: the
// driver holds the events until the send resolves); the topic comes from `topicField` when it is
// a valid topic name, else the static topic; the key from `key`. A record over maxMessageBytes is
// rejected here, before it can fail a whole request.

import type { Event } from '../../../agent/src/record/record.ts';
import { EventFields } from '../../../agent/src/sinks/shared/fields.ts';
import type { Encoder } from '../../../agent/src/sinks/types.ts';
import type { KafkaOptions } from '../../../contract/agent-config/types.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../options.ts';

export interface KafkaMessage {
  topic: string;
  key: string | null;
  value: Buffer;
}

export interface KafkaRequest {
  /** One per event, in order; null when the event was rejected (see errors). */
  messages: (KafkaMessage | null)[];
  errors: (string | undefined)[];
}

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export function kafkaEncoder(o: KafkaOptions): Encoder<KafkaRequest> {
  const max = o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const fields = new EventFields();
  const needFields = o.topicField !== undefined || o.key !== undefined;
  return {
    encode(events: Event[]): KafkaRequest {
      const messages: (KafkaMessage | null)[] = new Array(events.length);
      const errors: (string | undefined)[] = new Array(events.length);
      for (let i = 0; i < events.length; i++) {
        const e = events[i];
        let topic = o.topic;
        let key: string | null = null;
        if (needFields) {
          fields.reset(e);
          if (o.topicField !== undefined) {
            const t = fields.get(o.topicField);
            if (t !== undefined && TOPIC.test(t)) topic = t;
          }
          if (o.key !== undefined) key = fields.get(o.key) ?? null;
        }
        const size = e.len + (key === null ? 0 : Buffer.byteLength(key));
        if (size > max) {
          messages[i] = null;
          errors[i] =
            `record of ${size} bytes exceeds the maximum message size of ${max} bytes (maxMessageBytes)`;
          continue;
        }
        messages[i] = { topic, key, value: e.buf.subarray(e.off, e.off + e.len) };
      }
      return { messages, errors };
    },
  };
}
