// NDJSON on the agent's standard output, for debugging (`kubectl logs`): the stdout block of
// LogOutput / ClusterLogOutput; it has no options (the sink is sink/).
import { obj } from '../../operator/src/api/dsl.ts';
import type { Destination } from '../../operator/src/destinations/types.ts';

export const api: Destination<'stdout'> = {
  schema: () =>
    obj("NDJSON on the agent's standard output, one record per line (for debugging: `kubectl logs`).", {}),
  check: () => [],
  compile: () => ({ options: {} }),
};
