import { gzipSync } from 'node:zlib';
import { describe, expect, test } from '@jest/globals';
import { SHARD_DATA_KEY, SHARD_LABEL } from '../../../contract/agent-config/shards.ts';
import type { AgentConfig } from '../../../contract/agent-config/types.ts';
import type { KubeObject } from '../../../contract/kube/client.ts';
import { buildReport, shardAnnotations } from '../ops/report.ts';
import { AgentStats } from '../ops/stats.ts';
import { decodeShard, mergeLoaded } from './shards.ts';

const cm = (
  ns: string,
  doc: unknown,
  labels: Record<string, string> = { [SHARD_LABEL]: ns },
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: `sluice-agent-ns-${ns}`, namespace: 'sluice-system', labels, resourceVersion: '1' },
  binaryData: { [SHARD_DATA_KEY]: gzipSync(JSON.stringify(doc)).toString('base64') },
});
const shopShard = {
  apiVersion: 'agent.sluice.dev/v1',
  pipelines: [
    {
      id: 'LogPipeline/shop/checkout',
      kind: 'LogPipeline',
      namespace: 'shop',
      name: 'checkout',
      outputs: ['LogOutput/shop/out', 'ClusterLogOutput/archive'],
    },
  ],
  outputs: [{ id: 'LogOutput/shop/out', type: 'stdout' }],
};
const base: AgentConfig = {
  apiVersion: 'agent.sluice.dev/v1',
  pipelines: [],
  outputs: [{ id: 'ClusterLogOutput/archive', type: 'stdout' }],
};

describe('config shards, as the agent loads them', () => {
  test('a valid shard decodes, referring to the base outputs', () => {
    const r = decodeShard(cm('shop', shopShard));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.key).toBe('shop');
      expect(r.shard.hash).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  test.each([
    ["another namespace's pipeline", cm('web', shopShard), 'belongs to another shard'],
    ['agent settings', cm('shop', { ...shopShard, agent: { logLevel: 'debug' } }), 'carries agent settings'],
    [
      'an output of another namespace',
      cm('shop', { ...shopShard, pipelines: [{ ...shopShard.pipelines[0], outputs: ['LogOutput/web/x'] }] }),
      "unknown output 'LogOutput/web/x'",
    ],
    ['no label', cm('shop', shopShard, {}), `no ${SHARD_LABEL} label`],
    [
      'not gzip',
      { ...cm('shop', shopShard), binaryData: { [SHARD_DATA_KEY]: 'bm90IGd6aXA=' } },
      'not gzip-compressed JSON',
    ],
  ])('refused: %s', (_what, object, message) => {
    const r = decodeShard(object);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.message).join('; ')).toContain(message);
  });

  test('merge: a pipeline whose base output is gone waits, the rest runs', () => {
    const r = decodeShard(cm('shop', shopShard));
    if (!r.ok) throw new Error('shard refused');
    const shards = new Map([['shop', r.shard]]);
    const ok = mergeLoaded(base, shards);
    expect(ok.skipped).toEqual([]);
    expect(ok.config.pipelines.map((p) => p.id)).toEqual(['LogPipeline/shop/checkout']);
    const gone = mergeLoaded({ ...base, outputs: [] }, shards);
    expect(gone.skipped).toEqual(['LogPipeline/shop/checkout']);
    expect(gone.config.pipelines).toEqual([]);
    expect(gone.config.outputs.map((o) => o.id)).toEqual(['LogOutput/shop/out']);
  });
});

describe('the report', () => {
  test('idle outputs are left out; busy ones stay', () => {
    const stats = new AgentStats();
    stats.output('LogOutput/a/idle');
    stats.output('LogOutput/b/busy').recordsOut = 5;
    const failing = stats.output('LogOutput/c/failing');
    failing.lastError = 'connection refused';
    failing.lastErrorAt = Date.now();
    expect(Object.keys(buildReport(stats).o).sort()).toEqual(['LogOutput/b/busy', 'LogOutput/c/failing']);
  });

  test('the base hash in its own annotation, the namespace shards as JSON', () => {
    const stats = new AgentStats();
    stats.configHash = 'combined';
    expect(shardAnnotations(stats)).toEqual({ hash: 'combined', shards: undefined });
    stats.configShards = new Map([
      ['', 'b0'],
      ['web', 'w1'],
      ['shop', 's1'],
    ]);
    expect(shardAnnotations(stats)).toEqual({ hash: 'b0', shards: '{"shop":"s1","web":"w1"}' });
  });
});
