// The node-wide budget of output buffers (agent settings bufferBudget, which the operator derives
// from the agent's memory limit and a chart value): when the maxSize of all memory buffers, or of
// all disk buffers, add up to more than the budget, each of them is scaled down by the same factor
// so that the agent cannot be OOM-killed or fill its disk because tenants asked for big buffers.
// Pure, and shared: the agent's runtime applies it to each config before comparing it with the
// running one (an output whose share changes is rebuilt like any changed output), and the operator
// applies it to the config it renders to say in an output's status what its buffer gets.
import { SIZE_DEFAULTS } from './defaults.ts';
import type { AgentConfig, OutputConfig } from './types.ts';

/** No buffer is scaled below this (or its own maxSize, if smaller): it must hold a few records. */
export const MIN_SCALED_BUFFER = 64 * 1024;

export interface BufferShare {
  type: 'memory' | 'disk';
  /** maxSize of the config (or the default). */
  asked: number;
  /** What the buffer gets. */
  granted: number;
}

export interface Budgeted {
  config: AgentConfig;
  /** Per output id: its share (every output, scaled or not). */
  shares: Map<string, BufferShare>;
  /** Per type: the budget and what the outputs asked for together. */
  totals: { memory: { budget?: number; asked: number }; disk: { budget?: number; asked: number } };
}

const typeOf = (o: OutputConfig): 'memory' | 'disk' => (o.buffer?.type === 'disk' ? 'disk' : 'memory');
const askedOf = (o: OutputConfig): number => o.buffer?.maxSize ?? SIZE_DEFAULTS[typeOf(o)];

export function applyBufferBudget(config: AgentConfig): Budgeted {
  const b = config.agent?.bufferBudget;
  const totals: Budgeted['totals'] = {
    memory: { budget: b?.memoryBytes, asked: 0 },
    disk: { budget: b?.diskBytes, asked: 0 },
  };
  for (const o of config.outputs) totals[typeOf(o)].asked += askedOf(o);
  const shares = new Map<string, BufferShare>();
  let changed = false;
  const outputs = config.outputs.map((o) => {
    const type = typeOf(o);
    const asked = askedOf(o);
    const { budget, asked: sum } = totals[type];
    const granted =
      budget === undefined || sum <= budget
        ? asked
        : Math.max(Math.min(asked, MIN_SCALED_BUFFER), Math.floor((asked * budget) / sum));
    shares.set(o.id, { type, asked, granted });
    if (granted === asked) return o;
    changed = true;
    return { ...o, buffer: { ...o.buffer, maxSize: granted } };
  });
  return { config: changed ? { ...config, outputs } : config, shares, totals };
}
