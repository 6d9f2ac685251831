// The operator's half of each destination in the table (destinations/index.ts): its API block,
// checks and compilation (destinations/<type>/api.ts, gathered in apis.generated.ts). The API
// (api/output.ts), the validator (validate/semantic.ts), the compiler (compile/agent-config.ts)
// and the status (controller/desired.ts) iterate them in table order.
import { DESTINATION_TYPES, type DestinationType } from '../../../destinations/index.ts';

import { DESTINATION_APIS } from './apis.generated.ts';
import type { Destination } from './types.ts';

export { DESTINATION_APIS, DESTINATION_TYPES, type DestinationType };

/** The destination an output's spec sets (validation makes it exactly one), or undefined. */
export function destinationOf(spec: object): DestinationType | undefined {
  return DESTINATION_TYPES.find((t) => (spec as Record<string, unknown>)[t] !== undefined);
}

/** The optional readers a destination may declare about its block (types.ts). */
type BlockReader = 'routing' | 'agentIdentity' | 'hosts';
type ReaderResult<R extends BlockReader> = ReturnType<NonNullable<Destination<DestinationType>[R]>>;

/**
 * What an output's destination says of its block through one of its optional readers, called with
 * the block and its path (`spec.<type>`); undefined when the spec sets no destination or the
 * destination does not declare that reader.
 */
export function readBlock<R extends BlockReader>(spec: object, reader: R): ReaderResult<R> | undefined {
  const type = destinationOf(spec);
  if (type === undefined) return undefined;
  const read = DESTINATION_APIS[type][reader] as
    | ((block: unknown, at: string) => ReaderResult<R>)
    | undefined;
  return read?.((spec as Record<string, unknown>)[type], `spec.${type}`);
}
