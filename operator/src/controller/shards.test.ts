// Config shards through the operator's whole decision (computeDesired): one namespace too big for
// its ConfigMap is refused alone (ConfigShardTooLarge) and keeps its last good shard, while every
// other namespace's change applies; a deleted namespace's shard is no longer rendered (pruned).
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { BASE_SHARD, SHARD_LABEL } from '../../../contract/agent-config/shards.ts';
import type { KubeObject } from '../kube/client.ts';
import { agentConfigText, shardConfigMapName } from '../render/configmap.ts';
import { defaultSettings } from '../render/settings.ts';
import type { WorldSnapshot } from '../state.ts';
import { computeDesired } from './desired.ts';
import { DesiredMemo } from './memo.ts';

const V = 'sluice.dev/v1alpha1';
const out = (ns: string): KubeObject => ({
  apiVersion: V,
  kind: 'LogOutput',
  metadata: { name: 'out', namespace: ns, uid: `uid-${ns}` },
  spec: { stdout: {} },
});
/** `noise`: random values no compression shrinks, to make a namespace's shard big. */
const pipe = (name: string, ns: string, opts: { noise?: number; tag?: string } = {}): KubeObject => ({
  apiVersion: V,
  kind: 'LogPipeline',
  metadata: { name, namespace: ns, generation: 1 },
  spec: {
    outputs: [{ name: 'out' }],
    filters: [
      ...(opts.tag ? [{ add: { fields: { tag: opts.tag } } }] : []),
      ...(opts.noise
        ? [
            {
              drop: {
                when: {
                  field: 'x',
                  in: Array.from({ length: opts.noise }, () => randomBytes(256).toString('hex')),
                },
              },
            },
          ]
        : []),
    ],
  },
});
const world = (pipelines: KubeObject[], running?: WorldSnapshot['running']): WorldSnapshot => ({
  pipelines,
  outputs: ['big', 'small'].map(out),
  namespaces: new Map([
    ['big', {}],
    ['small', {}],
  ]),
  secrets: new Map(),
  ...(running ? { running } : {}),
});
const settings = defaultSettings({ configShardMaxBytes: 4000 });
const shardCm = (objects: Record<string, unknown>[], ns: string) =>
  objects.find((o) => (o.metadata as { name: string }).name === shardConfigMapName(settings, ns));

describe('config shards', () => {
  test('a namespace over the size of one ConfigMap is refused alone; the other namespace applies', () => {
    const d = computeDesired(
      world([pipe('p1', 'big', { noise: 16 }), pipe('p2', 'big'), pipe('q', 'small', { tag: 'v1' })]),
      settings,
      undefined,
    );
    for (const id of ['LogPipeline/big/p1', 'LogPipeline/big/p2']) {
      const st = d.pipelines.get(id)!;
      expect(st.accepted).toBe(false);
      expect(st.kept).toBe(false);
      expect(st.rejection?.reason).toBe('ConfigShardTooLarge');
      expect(st.rejection?.message).toContain('namespace "big"');
      expect(st.rejection?.message).toContain('other namespaces are not affected');
      expect(st.rejection?.message).toMatch(/compile to \d[\d.]*(Ki|Mi)? compressed, over the 3\.9Ki that/);
    }
    expect(d.pipelines.get('LogPipeline/small/q')!.accepted).toBe(true);
    expect([...d.shards.keys()]).toEqual([BASE_SHARD, 'small']);
    expect(shardCm(d.objects, 'big')).toBeUndefined();
    const small = shardCm(d.objects, 'small')!;
    expect((small.metadata as { labels: Record<string, string> }).labels[SHARD_LABEL]).toBe('small');
    expect(agentConfigText(small)).toContain('"v1"');
    expect(d.config.pipelines.map((p) => p.id)).toEqual(['LogPipeline/small/q']);
  });

  test('the big namespace keeps its last good shard, the small one still changes; fixing it applies', () => {
    const memo = new DesiredMemo();
    const good = computeDesired(
      world([pipe('p2', 'big'), pipe('q', 'small', { tag: 'v1' })]),
      settings,
      undefined,
      memo,
    );
    expect(good.pipelines.get('LogPipeline/big/p2')!.accepted).toBe(true);
    const grown = computeDesired(
      world(
        [pipe('p1', 'big', { noise: 16 }), pipe('p2', 'big'), pipe('q', 'small', { tag: 'v2' })],
        good.config,
      ),
      settings,
      undefined,
      memo,
    );
    const p2 = grown.pipelines.get('LogPipeline/big/p2')!;
    expect([p2.accepted, p2.kept, p2.rejection?.reason]).toEqual([false, true, 'ConfigShardTooLarge']);
    expect(grown.pipelines.get('LogPipeline/big/p1')!.kept).toBe(false);
    // the live shard of "big" is rendered unchanged: nothing of it is applied
    expect(grown.shards.get('big')!.hash).toBe(good.shards.get('big')!.hash);
    expect(shardCm(grown.objects, 'big')).toEqual(shardCm(good.objects, 'big'));
    expect(agentConfigText(shardCm(grown.objects, 'small'))).toContain('"v2"');
    expect(grown.shards.get(BASE_SHARD)!.hash).toBe(good.shards.get(BASE_SHARD)!.hash);

    const fixed = computeDesired(
      world([pipe('p1', 'big'), pipe('p2', 'big'), pipe('q', 'small', { tag: 'v2' })], grown.config),
      settings,
      undefined,
      memo,
    );
    expect(fixed.pipelines.get('LogPipeline/big/p1')!.accepted).toBe(true);
    expect(fixed.shards.get('big')!.config.pipelines.map((p) => p.id)).toEqual([
      'LogPipeline/big/p1',
      'LogPipeline/big/p2',
    ]);
  });

  test('a namespace without pipelines or outputs has no shard (its ConfigMap is pruned)', () => {
    const d = computeDesired(world([pipe('p', 'big'), pipe('q', 'small')]), settings, undefined);
    const w = { ...world([pipe('q', 'small')]), outputs: [out('small')] };
    const e = computeDesired(w, settings, undefined);
    expect([...d.shards.keys()]).toEqual([BASE_SHARD, 'big', 'small']);
    expect([...e.shards.keys()]).toEqual([BASE_SHARD, 'small']);
    expect(shardCm(e.objects, 'big')).toBeUndefined();
  });

  test('with and without the memo: the same shards and objects', () => {
    const w = world([pipe('p2', 'big'), pipe('q', 'small', { tag: 'v1' })]);
    const memo = new DesiredMemo();
    computeDesired(w, settings, undefined, memo);
    const a = computeDesired(w, settings, undefined, memo);
    const b = computeDesired(w, settings, undefined);
    expect(a.objects).toEqual(b.objects);
    expect(a.hash).toBe(b.hash);
    expect(a.items).toEqual(b.items);
    expect(a.needs.get('LogPipeline/small/q')).toEqual(['LogPipeline/small/q', 'LogOutput/small/out']);
  });
});
