// When the opensearch sink sends a `_bulk` request, unless the output's `batch` says otherwise:
// the one source for the agent (sink/index.ts) and for the defaults the CRD documents and fills
// in (api.ts). 200 ms keeps a quiet node at five bulk requests a second at most, and a record
// searchable within about 1.5 s of its write on OpenSearch's default 1 s refresh.
import type { BatchConfig } from '../../contract/agent-config/types.ts';

export const OPENSEARCH_BATCH_DEFAULTS: Required<BatchConfig> = {
  maxRecords: 4096,
  maxBytes: 1024 * 1024,
  maxAgeMs: 200,
};
