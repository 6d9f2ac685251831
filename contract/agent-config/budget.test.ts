import { describe, expect, test } from '@jest/globals';
import { applyBufferBudget, MIN_SCALED_BUFFER } from './budget.ts';
import type { AgentConfig, OutputConfig } from './types.ts';

const MiB = 1024 * 1024;
const out = (id: string, buffer?: OutputConfig['buffer']): OutputConfig => ({
  id,
  type: 'stdout',
  ...(buffer ? { buffer } : {}),
});
const cfg = (
  outputs: OutputConfig[],
  bufferBudget?: { memoryBytes?: number; diskBytes?: number },
): AgentConfig => ({
  apiVersion: 'agent.sluice.dev/v1',
  ...(bufferBudget ? { agent: { bufferBudget } } : {}),
  pipelines: [],
  outputs,
});

describe('node-wide buffer budget', () => {
  test('within the budget nothing changes (the same config object)', () => {
    const c = cfg([out('a', { maxSize: 8 * MiB }), out('b')], { memoryBytes: 12 * MiB });
    const r = applyBufferBudget(c);
    expect(r.config).toBe(c);
    expect(r.totals.memory).toEqual({ budget: 12 * MiB, asked: 12 * MiB });
  });

  test('over it, every memory buffer is scaled by the same factor and together they fit', () => {
    const c = cfg(
      [
        out('a', { maxSize: 1024 * MiB }),
        out('b', { maxSize: 512 * MiB }),
        out('c'),
        out('d', { type: 'disk' }),
      ],
      { memoryBytes: 128 * MiB },
    );
    const r = applyBufferBudget(c);
    const sizes = new Map(r.config.outputs.map((o) => [o.id, o.buffer?.maxSize]));
    const sum = sizes.get('a')! + sizes.get('b')! + sizes.get('c')!;
    expect(sum).toBeLessThanOrEqual(128 * MiB);
    expect(sum).toBeGreaterThan(127 * MiB);
    expect(sizes.get('a')! / sizes.get('b')!).toBeCloseTo(2, 3);
    // disk buffers answer to their own budget (none here)
    expect(sizes.get('d')).toBeUndefined();
    expect(r.shares.get('a')).toEqual({ type: 'memory', asked: 1024 * MiB, granted: sizes.get('a') });
    // the input is not changed
    expect(c.outputs[0]!.buffer?.maxSize).toBe(1024 * MiB);
  });

  test('disk buffers against diskBytes; none is scaled below 64 KiB', () => {
    const c = cfg(
      [out('a', { type: 'disk', maxSize: 1024 * MiB }), out('b', { type: 'disk', maxSize: 100 * 1024 })],
      { diskBytes: MiB },
    );
    const r = applyBufferBudget(c);
    expect(r.shares.get('b')!.granted).toBe(MIN_SCALED_BUFFER);
    expect(r.shares.get('a')!.granted).toBeLessThanOrEqual(MiB);
  });
});
