// The operator's half of each destination in the table (destinations/index.ts): its API block,
// checks and compilation (destinations/<type>/api.ts, gathered in apis.generated.ts). The API
// (api/output.ts), the validator (validate/semantic.ts), the compiler (compile/agent-config.ts)
// and the status (controller/desired.ts) iterate them in table order.
import { DESTINATION_TYPES, type DestinationType } from '../../../destinations/index.ts';

export { DESTINATION_APIS } from './apis.generated.ts';
export { DESTINATION_TYPES, type DestinationType };

/** The destination an output's spec sets (validation makes it exactly one), or undefined. */
export function destinationOf(spec: object): DestinationType | undefined {
  return DESTINATION_TYPES.find((t) => (spec as Record<string, unknown>)[t] !== undefined);
}
