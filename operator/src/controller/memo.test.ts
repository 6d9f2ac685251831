// The incremental compile must be invisible: with the memo, every world gives exactly what a
// fresh computation gives (config, hash, objects, states, fingerprints), across spec changes,
// label changes, deletions and rejections.
import { describe, expect, test } from '@jest/globals';
import { configHash } from '../../../contract/agent-config/hash.ts';
import { BASE_SHARD, combinedHash } from '../../../contract/agent-config/shards.ts';
import type { KubeObject } from '../kube/client.ts';
import { AGENT_CONFIG_KEY, agentConfigText } from '../render/configmap.ts';
import { defaultSettings } from '../render/settings.ts';
import type { WorldSnapshot } from '../state.ts';
import { computeDesired } from './desired.ts';
import { DesiredMemo } from './memo.ts';

const V = 'sluice.dev/v1alpha1';

function world(): WorldSnapshot {
  const nss = Array.from({ length: 6 }, (_, i) => `ns-${i}`);
  const outputs: KubeObject[] = [
    {
      apiVersion: V,
      kind: 'ClusterLogOutput',
      metadata: { name: 'shared', uid: 'u-shared' },
      spec: { stdout: {}, allowedNamespaces: { names: nss } },
    },
    ...nss.slice(0, 3).map((ns) => ({
      apiVersion: V,
      kind: 'LogOutput',
      metadata: { name: 'out', namespace: ns, uid: `u-${ns}` },
      spec: { stdout: {} },
    })),
  ];
  const pipelines: KubeObject[] = Array.from({ length: 30 }, (_, i) => {
    const ns = nss[i % nss.length]!;
    return {
      apiVersion: V,
      kind: 'LogPipeline',
      metadata: { name: `p-${i}`, namespace: ns, generation: 1 },
      spec: { outputs: [i % 6 < 3 ? { name: 'out' } : { name: 'shared', kind: 'ClusterLogOutput' }] },
    };
  });
  pipelines.push({
    apiVersion: V,
    kind: 'ClusterLogPipeline',
    metadata: { name: 'team', generation: 1 },
    spec: {
      input: { namespaces: { selector: { matchLabels: { team: 'a' } } } },
      outputs: [{ name: 'shared' }],
    },
  });
  return {
    pipelines,
    outputs,
    namespaces: new Map(nss.map((n, i): [string, Record<string, string>] => [n, i % 2 ? { team: 'a' } : {}])),
    secrets: new Map(),
  };
}

const plain = (d: ReturnType<typeof computeDesired>) =>
  JSON.parse(
    JSON.stringify({
      ...d,
      pipelines: [...d.pipelines],
      outputs: [...d.outputs],
      fingerprints: [...d.fingerprints],
    }),
  );

describe('incremental compile', () => {
  test('the memo hash equals configHash', () => {
    const d = computeDesired(world(), defaultSettings(), undefined);
    expect(new DesiredMemo().configHash(d.config)).toBe(configHash(d.config));
    expect(d.hash).toBe(combinedHash(new Map([...d.shards].map(([k, v]) => [k, configHash(v.config)]))));
  });

  test('with and without the memo, every step of a changing world gives the same result', () => {
    const w = world();
    const memo = new DesiredMemo();
    const steps: Array<(w: WorldSnapshot) => void> = [
      () => {},
      // a spec change (new objects, as the informer delivers them)
      (w) => {
        w.pipelines[4] = {
          ...w.pipelines[4]!,
          spec: { outputs: [{ name: 'out' }], filters: [{ add: { fields: { a: '1' } } }] },
        };
      },
      // a status-only update: same spec, new object
      (w) => {
        w.pipelines[5] = { ...w.pipelines[5]!, status: { x: 1 } };
      },
      // namespace labels change the ClusterLogPipeline's namespaces
      (w) => {
        w.namespaces = new Map([...w.namespaces].map(([n]) => [n, { team: 'a' }]));
      },
      // an output's spec changes (its pipelines' fingerprints must change)
      (w) => {
        w.outputs[1] = { ...w.outputs[1]!, spec: { stdout: {}, retry: { initialBackoff: '2s' } } };
      },
      // an invalid pipeline, a deleted output (its pipelines rejected), a deleted pipeline
      (w) => {
        w.pipelines[7] = { ...w.pipelines[7]!, spec: { outputs: [] } };
        w.outputs.splice(2, 1);
        w.pipelines.splice(0, 1);
      },
    ];
    for (const step of steps) {
      step(w);
      const fresh = computeDesired(w, defaultSettings(), undefined);
      const inc = computeDesired(w, defaultSettings(), undefined, memo);
      expect(plain(inc)).toEqual(plain(fresh));
    }
    expect(memo.hits).toBeGreaterThan(memo.misses);
  });
});

describe('the live base ConfigMap', () => {
  test('carrying the bytes the memo encoded, gives that config back without parsing a second copy', () => {
    const memo = new DesiredMemo();
    const d = computeDesired(world(), defaultSettings(), undefined, memo);
    const cm = d.objects.find((o) => o.kind === 'ConfigMap') as { binaryData: Record<string, string> };
    const data = cm.binaryData[AGENT_CONFIG_KEY]!;
    let parsed = 0;
    const parse = () => {
      parsed++;
      return JSON.parse(agentConfigText(cm)!);
    };
    expect(memo.runningConfig('sluice-agent', BASE_SHARD, data, parse)).toBe(
      d.shards.get(BASE_SHARD)!.config,
    );
    expect(parsed).toBe(0);
    // unchanged config: the same bytes, not encoded again
    expect(computeDesired(world(), defaultSettings(), undefined, memo).objects).toEqual(d.objects);
    // other bytes (another writer, or an older config): parsed once
    const other = computeDesired(world(), defaultSettings(), { logLevel: 'debug' });
    const otherCm = other.objects.find((o) => o.kind === 'ConfigMap') as {
      binaryData: Record<string, string>;
    };
    const got = memo.runningConfig('sluice-agent', BASE_SHARD, otherCm.binaryData[AGENT_CONFIG_KEY], () => {
      parsed++;
      return JSON.parse(agentConfigText(otherCm)!);
    });
    expect(got).toEqual(other.shards.get(BASE_SHARD)!.config);
    expect(parsed).toBe(1);
  });
});
