// NDJSON on the agent's standard output, for debugging (`kubectl logs`): the stdout block of
// LogOutput / ClusterLogOutput; it has no options (the sink is agent/src/sinks/stdout/).
import { obj } from '../api/dsl.ts';
import type { Destination } from './types.ts';

export const stdout: Destination<'stdout'> = {
  schema: () =>
    obj("NDJSON on the agent's standard output, one record per line (for debugging: `kubectl logs`).", {}),
  check: () => [],
  compile: () => ({ options: {} }),
};
