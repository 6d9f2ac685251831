import { describe, expect, test } from '@jest/globals';
import { configHash } from './hash.ts';
import { BASE_SHARD, combinedHash, mergeShards, shardOf, splitConfig } from './shards.ts';
import type { AgentConfig } from './types.ts';

const pipe = (id: string, outputs: string[]) => {
  const [kind, a, b] = id.split('/');
  return b === undefined
    ? { id, kind: kind as 'ClusterLogPipeline', name: a!, outputs }
    : { id, kind: kind as 'LogPipeline', namespace: a!, name: b, outputs };
};
const out = (id: string) => ({ id, type: 'stdout' as const });
const config: AgentConfig = {
  apiVersion: 'agent.sluice.dev/v1',
  agent: { logLevel: 'info' },
  pipelines: [
    pipe('ClusterLogPipeline/audit', ['ClusterLogOutput/archive']),
    pipe('LogPipeline/shop/checkout', ['LogOutput/shop/kafka', 'ClusterLogOutput/archive']),
    pipe('LogPipeline/web/front', ['ClusterLogOutput/archive']),
  ],
  outputs: [out('ClusterLogOutput/archive'), out('LogOutput/shop/kafka')],
};

describe('config shards', () => {
  test('every item has one shard, found from its id alone', () => {
    expect(shardOf('LogPipeline/shop/checkout')).toBe('shop');
    expect(shardOf('LogOutput/shop/kafka')).toBe('shop');
    expect(shardOf('ClusterLogPipeline/audit')).toBe(BASE_SHARD);
    expect(shardOf('ClusterLogOutput/archive')).toBe(BASE_SHARD);
  });

  test('split: cluster resources and agent settings in the base, each namespace alone; merge gives it back', () => {
    const { base, shards } = splitConfig(config);
    expect(base.agent).toEqual({ logLevel: 'info' });
    expect(base.pipelines.map((p) => p.id)).toEqual(['ClusterLogPipeline/audit']);
    expect(base.outputs.map((o) => o.id)).toEqual(['ClusterLogOutput/archive']);
    expect([...shards.keys()]).toEqual(['shop', 'web']);
    expect(shards.get('shop')).toEqual({
      apiVersion: 'agent.sluice.dev/v1',
      pipelines: [config.pipelines[1]],
      outputs: [config.outputs[1]],
    });
    expect(shards.get('web')!.outputs).toEqual([]);
    const merged = mergeShards(base, shards.values());
    expect(configHash(merged)).toBe(
      configHash({
        ...config,
        pipelines: [config.pipelines[0]!, config.pipelines[1]!, config.pipelines[2]!],
        outputs: [config.outputs[0]!, config.outputs[1]!],
      }),
    );
  });

  test('one namespace changing changes its shard only', () => {
    const a = splitConfig(config);
    const changed = {
      ...config,
      pipelines: config.pipelines.map((p) =>
        p.id === 'LogPipeline/web/front'
          ? { ...p, filters: [{ drop: { when: { field: 'x', equals: 'y' } } }] }
          : p,
      ),
    } as AgentConfig;
    const b = splitConfig(changed);
    expect(configHash(b.base)).toBe(configHash(a.base));
    expect(configHash(b.shards.get('shop')!)).toBe(configHash(a.shards.get('shop')!));
    expect(configHash(b.shards.get('web')!)).not.toBe(configHash(a.shards.get('web')!));
  });

  test('the combined hash depends on every shard hash, not on their order', () => {
    const h = combinedHash(
      new Map([
        ['', 'b0'],
        ['shop', 's1'],
        ['web', 'w1'],
      ]),
    );
    expect(
      combinedHash(
        new Map([
          ['web', 'w1'],
          ['', 'b0'],
          ['shop', 's1'],
        ]),
      ),
    ).toBe(h);
    expect(
      combinedHash(
        new Map([
          ['', 'b0'],
          ['shop', 's2'],
          ['web', 'w1'],
        ]),
      ),
    ).not.toBe(h);
    expect(h).toMatch(/^[0-9a-f]{16}$/);
  });
});
