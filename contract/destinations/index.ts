// The destination table: every output type the agent config can carry, with the schema of its
// `options`. One entry per destination; everything else is keyed by it and checked by tsc:
//   - the agent config schema (`outputs[].type`) and its generated types (DestinationOptions),
//   - the agent's per-type options validators (`npm run generate`),
//   - the operator's API, validation and compilation (operator/src/destinations/index.ts),
//   - the agent's sinks (agent/src/sinks/registry.ts).
import { fileOptionsSchema } from './file.ts';
import { kafkaOptionsSchema } from './kafka.ts';
import { openSearchOptionsSchema } from './opensearch.ts';
import { s3OptionsSchema } from './s3.ts';
import { stdoutOptionsSchema } from './stdout.ts';

export const DESTINATIONS = {
  kafka: kafkaOptionsSchema,
  opensearch: openSearchOptionsSchema,
  s3: s3OptionsSchema,
  file: fileOptionsSchema,
  stdout: stdoutOptionsSchema,
} as const;

export type DestinationType = keyof typeof DESTINATIONS;

/** The destination types in table order (the API's, the CRDs' and the docs' order). */
export const DESTINATION_TYPES = Object.keys(DESTINATIONS) as DestinationType[];
