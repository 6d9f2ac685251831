// When the kafka sink sends a batch, unless the output's `batch` says otherwise: the one source
// for the agent (sink/index.ts) and for the defaults the CRD documents and fills in (api.ts).
// A short linger, like librdkafka's linger.ms: Kafka is built for many small produce requests,
// and a record waits at most 50 ms for its batch (BENCHMARKS.md §2: p99 < 0.2 s to Kafka).
import type { BatchConfig } from '../../contract/agent-config/types.ts';

export const KAFKA_BATCH_DEFAULTS: Required<BatchConfig> = {
  maxRecords: 4096,
  maxBytes: 1024 * 1024,
  maxAgeMs: 50,
};
