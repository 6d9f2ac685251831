// When the s3 sink writes an object, unless the output's `batch` says otherwise: the one source
// for the agent (sink/index.ts) and for the defaults the CRD documents and fills in (api.ts).
// Objects are batched by size and age, larger and slower than the other sinks: few large objects
// are cheaper to store and to read back than many small ones.
import type { BatchConfig } from '../../contract/agent-config/types.ts';

export const S3_BATCH_DEFAULTS: Required<BatchConfig> = {
  maxRecords: 100_000,
  maxBytes: 16 * 1024 * 1024,
  maxAgeMs: 300_000,
};
