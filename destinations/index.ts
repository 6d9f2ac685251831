// The destination table: every output type Sluice has, in the order the API, the CRDs and the docs
// list them. Each destination is one folder here:
//   <type>/options.ts  its options in the agent config (JSON Schema; types are generated)  contract
//   <type>/api.ts      its block in LogOutput / ClusterLogOutput, checks, compilation       operator
//   <type>/sink/       the sink that ships records to it                                   agent
// Adding one is that folder plus one entry below; `npm run generate` writes the rest (the
// operator's and the agent's registries, the types, validators, CRDs and reference docs).
import { options as file } from './file/options.ts';
import { options as kafka } from './kafka/options.ts';
import { options as opensearch } from './opensearch/options.ts';
import { options as s3 } from './s3/options.ts';
import { options as stdout } from './stdout/options.ts';

export const DESTINATIONS = { kafka, opensearch, s3, file, stdout } as const;

export type DestinationType = keyof typeof DESTINATIONS;

/** The destination types in table order. */
export const DESTINATION_TYPES = Object.keys(DESTINATIONS) as DestinationType[];
