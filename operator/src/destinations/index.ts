// The operator's half of each destination in the table (contract/destinations/index.ts): its API
// block, its checks and its compilation. tsc refuses a table entry without one here. The API
// (api/output.ts), the validator (validate/semantic.ts), the compiler (compile/agent-config.ts)
// and the status (controller/desired.ts) iterate this, in table order.
import { DESTINATION_TYPES, type DestinationType } from '../../../contract/destinations/index.ts';
import { file } from './file.ts';
import { kafka } from './kafka.ts';
import { opensearch } from './opensearch.ts';
import { s3 } from './s3.ts';
import { stdout } from './stdout.ts';
import type { Destination } from './types.ts';

export const DESTINATIONS: { [K in DestinationType]: Destination<K> } = {
  kafka,
  opensearch,
  s3,
  file,
  stdout,
};

export { DESTINATION_TYPES, type DestinationType };

/** The destination an output's spec sets (validation makes it exactly one), or undefined. */
export function destinationOf(spec: object): DestinationType | undefined {
  return DESTINATION_TYPES.find((t) => (spec as Record<string, unknown>)[t] !== undefined);
}
