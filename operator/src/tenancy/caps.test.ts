// The namespace caps through the operator's whole decision (computeDesired): who is refused and
// why, what the agent config then carries, and that nothing outside the capped namespace moves.
import { describe, expect, test } from '@jest/globals';
import { computeDesired } from '../controller/desired.ts';
import { DesiredMemo } from '../controller/memo.ts';
import type { KubeObject } from '../kube/client.ts';
import { defaultSettings } from '../render/settings.ts';
import type { WorldSnapshot } from '../state.ts';
import { outputStatus, pipelineStatus } from '../status/compute.ts';
import { compilePolicy, type TenancyPolicy } from './policy.ts';

const V = 'sluice.dev/v1alpha1';
const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const lo = (ns: string, name: string, created: number, buffer?: object): KubeObject => ({
  apiVersion: V,
  kind: 'LogOutput',
  metadata: { name, namespace: ns, creationTimestamp: t(created) },
  spec: { stdout: {}, ...(buffer ? { buffer } : {}) },
});
const lp = (ns: string, name: string, created: number, out = 'a', parse?: object): KubeObject => ({
  apiVersion: V,
  kind: 'LogPipeline',
  metadata: { name, namespace: ns, creationTimestamp: t(created), generation: 1 },
  spec: { outputs: [{ name: out }], ...(parse ? { parse } : {}) },
});
const world = (
  pipelines: KubeObject[],
  outputs: KubeObject[],
  labels: Record<string, Record<string, string>> = {},
): WorldSnapshot => ({
  pipelines,
  outputs,
  namespaces: new Map([
    ['shop', labels.shop ?? {}],
    ['other', labels.other ?? {}],
  ]),
  secrets: new Map(),
});
const decide = (w: WorldSnapshot, tenancy: TenancyPolicy) =>
  computeDesired(w, defaultSettings({ tenancy }), undefined);

describe('count caps', () => {
  test('the newest pipelines beyond maxPipelines are refused with the cap, the count and the limit; other namespaces unaffected', () => {
    const w = world(
      [
        lp('shop', 'p3', 3),
        lp('shop', 'p1', 1),
        lp('shop', 'p2', 2),
        lp('other', 'q1', 9),
        lp('other', 'q2', 10),
      ],
      [lo('shop', 'a', 0), lo('other', 'a', 0)],
    );
    const d = decide(w, { defaults: { maxPipelines: 2 } });
    expect(d.pipelines.get('LogPipeline/shop/p1')?.accepted).toBe(true);
    expect(d.pipelines.get('LogPipeline/shop/p2')?.accepted).toBe(true);
    const p3 = d.pipelines.get('LogPipeline/shop/p3')!;
    expect(p3.accepted).toBe(false);
    expect(p3.rejection?.reason).toBe('OverNamespaceCap');
    expect(p3.rejection?.message).toContain('may have 2 LogPipelines (tenancy cap maxPipelines) and has 3');
    expect(d.config.pipelines.map((p) => p.id)).toEqual([
      'LogPipeline/other/q1',
      'LogPipeline/other/q2',
      'LogPipeline/shop/p1',
      'LogPipeline/shop/p2',
    ]);
  });

  test('an override by name or label replaces the defaults it sets; the first match wins', () => {
    const w = world(
      [lp('shop', 'p1', 1), lp('shop', 'p2', 2), lp('other', 'q1', 1), lp('other', 'q2', 2)],
      [lo('shop', 'a', 0), lo('other', 'a', 0)],
      { other: { tier: 'batch' } },
    );
    const d = decide(w, {
      defaults: { maxPipelines: 1 },
      namespaces: [
        { namespaces: ['shop'], maxPipelines: 5 },
        { selector: { matchLabels: { tier: 'batch' } }, maxOutputs: 3 },
      ],
    });
    expect(d.pipelines.get('LogPipeline/shop/p2')?.accepted).toBe(true);
    // "other" matched by label: its override leaves maxPipelines to the defaults
    expect(d.pipelines.get('LogPipeline/other/q2')?.rejection?.reason).toBe('OverNamespaceCap');
  });

  test('an output beyond maxOutputs is refused, and so is a pipeline that names it (by the same reason)', () => {
    const w = world(
      [lp('shop', 'p1', 5, 'a'), lp('shop', 'p2', 5, 'b')],
      [lo('shop', 'a', 1), lo('shop', 'b', 2)],
    );
    const d = decide(w, { defaults: { maxOutputs: 1 } });
    expect(d.outputs.get('LogOutput/shop/b')?.rejection?.reason).toBe('OverNamespaceCap');
    const p2 = d.pipelines.get('LogPipeline/shop/p2')!;
    expect(p2.rejection?.reason).toBe('OverNamespaceCap');
    expect(p2.rejection?.message).toContain('maxOutputs');
    expect(d.config.outputs.map((o) => o.id)).toEqual(['LogOutput/shop/a']);
  });

  test('within one second of creation, what the agents run goes first: a new resource never displaces a running one', () => {
    const outs = [lo('shop', 'a', 0)];
    // "zz" runs; "aa" is created in the same second and sorts first by name
    const zz = [lp('shop', 'zz', 5)];
    const before = decide(world(zz, outs), {});
    const after = decide(
      { ...world([...zz, lp('shop', 'aa', 5)], outs), running: before.config },
      {
        defaults: { maxPipelines: 1 },
      },
    );
    expect(after.pipelines.get('LogPipeline/shop/zz')?.accepted).toBe(true);
    expect(after.pipelines.get('LogPipeline/shop/aa')?.rejection?.reason).toBe('OverNamespaceCap');
    // an output no pipeline uses is in no running config: the last decision keeps its place
    const outs2 = [...outs, lo('shop', 'zz', 5, { maxSize: '4Mi' })];
    const first = decide(world(zz, outs2), { defaults: { maxOutputs: 2 } });
    const next = decide(
      {
        ...world(zz, [...outs2, lo('shop', 'aa', 5)]),
        running: first.config,
        accepted: new Set(['LogOutput/shop/zz', 'LogOutput/shop/a']),
      },
      { defaults: { maxOutputs: 2 } },
    );
    expect(next.outputs.get('LogOutput/shop/zz')?.rejection).toBeUndefined();
    expect(next.outputs.get('LogOutput/shop/aa')?.rejection?.reason).toBe('OverNamespaceCap');
    // without the running config, name order decides the tie
    const cold = decide(world([...zz, lp('shop', 'aa', 5)], outs), { defaults: { maxPipelines: 1 } });
    expect(cold.pipelines.get('LogPipeline/shop/aa')?.accepted).toBe(true);
  });

  test('a pipeline refused by a cap does not keep its last good config (the platform wins)', () => {
    const pipes = [lp('shop', 'p1', 1), lp('shop', 'p2', 2)];
    const before = decide(world(pipes, [lo('shop', 'a', 0)]), {});
    expect(before.config.pipelines).toHaveLength(2);
    const after = decide(
      { ...world(pipes, [lo('shop', 'a', 0)]), running: before.config },
      {
        defaults: { maxPipelines: 1 },
      },
    );
    expect(after.pipelines.get('LogPipeline/shop/p2')?.kept).toBe(false);
    expect(after.config.pipelines.map((p) => p.id)).toEqual(['LogPipeline/shop/p1']);
  });
});

describe('buffer caps', () => {
  test('an output asking for more than is left is refused with what it asked, the cap and what is left', () => {
    const w = world(
      [lp('shop', 'p1', 9, 'a')],
      [
        lo('shop', 'a', 1, { maxSize: '8Mi' }),
        lo('shop', 'big', 2, { maxSize: '12Mi' }),
        lo('shop', 'disk', 3, { type: 'disk', maxSize: '2Gi' }),
        lo('other', 'huge', 1, { maxSize: '1Gi' }),
      ],
    );
    const d = decide(w, {
      defaults: { maxBufferBytes: '16Mi' },
      namespaces: [{ namespaces: ['other'], maxBufferBytes: null }],
    });
    expect(d.outputs.get('LogOutput/shop/a')?.rejection).toBeUndefined();
    const big = d.outputs.get('LogOutput/shop/big')!.rejection!;
    expect(big.reason).toBe('OverNamespaceCap');
    expect(big.message).toBe(
      'LogOutput/shop/big asks for 12Mi of memory buffer (spec.buffer.maxSize), but namespace "shop" may buffer 16Mi in memory (tenancy cap maxBufferBytes) and its earlier LogOutputs hold 8Mi: lower spec.buffer.maxSize to at most 8Mi or ask the platform team to raise the cap',
    );
    // disk buffers count against their own cap (none here)
    expect(d.outputs.get('LogOutput/shop/disk')?.rejection).toBeUndefined();
    // lifted for "other" by its override
    expect(d.outputs.get('LogOutput/other/huge')?.rejection).toBeUndefined();
  });

  test('an output without maxSize is fitted to what is left of the cap, and refused when nothing is', () => {
    const w = world(
      [lp('shop', 'p1', 9, 'a'), lp('shop', 'p2', 9, 'b'), lp('shop', 'p3', 9, 'c')],
      [lo('shop', 'a', 1, { maxSize: '2Mi' }), lo('shop', 'b', 2), lo('shop', 'c', 3)],
    );
    const d = decide(w, { defaults: { maxBufferBytes: '3Mi' } });
    const b = d.config.outputs.find((o) => o.id === 'LogOutput/shop/b')!;
    expect(b.buffer?.maxSize).toBe(1024 * 1024);
    expect(d.outputs.get('LogOutput/shop/c')?.rejection?.message).toContain('which leaves 0');
  });

  test('disk buffers: maxDiskBufferBytes below the 1Gi default fits one default output to the cap', () => {
    const w = world([lp('shop', 'p1', 9, 'a')], [lo('shop', 'a', 1, { type: 'disk' })]);
    const d = decide(w, { defaults: { maxDiskBufferBytes: '256Mi' } });
    expect(d.config.outputs[0]!.buffer).toEqual({
      type: 'disk',
      maxSize: 256 * 1024 * 1024,
      whenFull: 'block',
    });
  });
});

describe('compiled caps', () => {
  test('record size is lowered to the cap and said in the Accepted note; the rate goes to every pipeline of the namespace', () => {
    const w = world(
      [
        lp('shop', 'p1', 1, 'a', { maxRecordSize: '4Mi' }),
        lp('shop', 'p2', 2, 'a', { maxRecordSize: '8Ki' }),
        lp('other', 'q', 1),
      ],
      [lo('shop', 'a', 0), lo('other', 'a', 0)],
    );
    const d = decide(w, {
      defaults: { maxRecordBytes: '64Ki', maxRecordsPerSecond: 500 },
      namespaces: [{ namespaces: ['other'], maxRecordsPerSecond: 9000 }],
    });
    const byId = new Map(d.config.pipelines.map((p) => [p.id, p]));
    expect(byId.get('LogPipeline/shop/p1')!.parse?.maxRecordBytes).toBe(64 * 1024);
    expect(byId.get('LogPipeline/shop/p2')!.parse?.maxRecordBytes).toBe(8 * 1024);
    expect(byId.get('LogPipeline/shop/p1')!.namespaceRecordsPerSecond).toBe(500);
    expect(byId.get('LogPipeline/other/q')!.namespaceRecordsPerSecond).toBe(9000);
    expect(byId.get('LogPipeline/other/q')!.parse?.maxRecordBytes).toBe(64 * 1024);
    expect(d.pipelines.get('LogPipeline/shop/p1')!.note).toContain(
      'records longer than 64Ki are truncated and counted: namespace "shop" caps the record size (tenancy cap maxRecordBytes), below the 4Mi of spec.parse.maxRecordSize',
    );
    expect(d.pipelines.get('LogPipeline/shop/p2')!.note).toBeUndefined();
  });

  test('a label change that moves a namespace to another override recompiles its pipelines (the memo keys on the caps)', () => {
    const memo = new DesiredMemo();
    const settings = defaultSettings({
      tenancy: { namespaces: [{ selector: { matchLabels: { tier: 'batch' } }, maxRecordsPerSecond: 10 }] },
    });
    const pipes = [lp('shop', 'p1', 1)];
    const outs = [lo('shop', 'a', 0)];
    const a = computeDesired(world(pipes, outs), settings, undefined, memo);
    expect(a.config.pipelines[0]!.namespaceRecordsPerSecond).toBeUndefined();
    const b = computeDesired(world(pipes, outs, { shop: { tier: 'batch' } }), settings, undefined, memo);
    expect(b.config.pipelines[0]!.namespaceRecordsPerSecond).toBe(10);
    expect(b.hash).not.toBe(a.hash);
  });

  test('no policy: the config is what it was without tenancy', () => {
    const w = world([lp('shop', 'p1', 1)], [lo('shop', 'a', 0)]);
    expect(decide(w, {}).config).toEqual(computeDesired(w, defaultSettings(), undefined).config);
  });
});

describe('policy', () => {
  test.each([
    [
      { defaults: { maxBufferBytes: '64 MB' } },
      /tenancy.defaults.maxBufferBytes: "64 MB" is not a byte quantity/,
    ],
    [{ defaults: { maxPipelines: -1 } }, /tenancy.defaults.maxPipelines: "-1" is not a whole number/],
    [{ defaults: { maxRecordBytes: '512' } }, /below 1Ki/],
    [{ namespaces: [{ maxPipelines: 3 }] }, /tenancy.namespaces\[0\]: set namespaces or selector/],
  ])('%j is refused at start', (p, msg) => {
    expect(() => compilePolicy(p as TenancyPolicy)).toThrow(msg);
  });

  test('null caps (the chart default) cap nothing', () => {
    const p = compilePolicy({ defaults: { maxPipelines: null, maxBufferBytes: null } });
    expect(p.active).toBe(false);
    expect(p.capsFor('shop', {})).toEqual({});
  });
});

describe('node budget', () => {
  test('an output whose buffer the agents scale down says so in its Accepted message; the config keeps what was asked', () => {
    // a 512Mi agent limit: a 128Mi memory budget; 1Gi + 1Gi asked
    const w = world(
      [lp('shop', 'p1', 1, 'a'), lp('other', 'q', 1, 'a')],
      [lo('shop', 'a', 0, { maxSize: '1Gi' }), lo('other', 'a', 0, { maxSize: '1Gi' })],
    );
    const d = decide(w, {});
    expect(d.config.agent?.bufferBudget).toEqual({
      memoryBytes: 128 * 1024 * 1024,
      diskBytes: 8 * 1024 ** 3,
    });
    expect(d.config.outputs.map((o) => o.buffer?.maxSize)).toEqual([1024 ** 3, 1024 ** 3]);
    const s = outputStatus({ generation: 1, state: d.outputs.get('LogOutput/shop/a')!, now: 0 });
    const accepted = (s.conditions as { type: string; message: string }[]).find(
      (c) => c.type === 'Accepted',
    )!;
    expect(accepted.message).toBe(
      'The spec is valid and every referenced Secret exists. Note: the agents hold its memory buffer to 64Mi of the 1Gi asked: the outputs of every namespace ask for 2Gi of memory buffer per node, above the node budget of 128Mi (agent.bufferBudget), so each gets the same share; with whenFull: dropNewest its drops count as node_buffer_budget.',
    );
    // within the budget: no note
    const small = decide(world([lp('shop', 'p1', 1, 'a')], [lo('shop', 'a', 0, { maxSize: '8Mi' })]), {});
    expect(small.outputs.get('LogOutput/shop/a')!.note).toBeUndefined();
  });
});

describe('status when the rate cap bites', () => {
  const base = {
    generation: 1,
    state: { accepted: true, kept: false, paused: false, outputIds: ['LogOutput/shop/a'] },
    agents: { desired: 1, ready: 1 },
    configured: 1,
    figures: new Map([['LogOutput/shop/a', { delivered: 10, bufferedBytes: 0, dropped: {} }]]),
    now: Date.parse('2026-01-01T00:00:00Z'),
  };
  const delivering = (s: Record<string, unknown>) =>
    (s.conditions as { type: string; status: string; reason: string; message: string }[]).find(
      (c) => c.type === 'Delivering',
    )!;

  test('new namespace_rate_cap drops: Delivering False (RecordsDropped) naming the cap, and status.droppedByCaps', () => {
    const s = pipelineStatus({ ...base, droppedByCaps: { namespace_rate_cap: 40 } });
    expect(s.droppedByCaps).toEqual({ namespace_rate_cap: 40 });
    expect(delivering(s)).toMatchObject({ status: 'False', reason: 'RecordsDropped' });
    expect(delivering(s).message).toContain('40 records over the namespace');
    expect(delivering(s).message).toContain('maxRecordsPerSecond');
  });

  test('no new drops since the last status: Delivering True again, the count stays', () => {
    const s = pipelineStatus({
      ...base,
      previous: { droppedByCaps: { namespace_rate_cap: 40 } },
      droppedByCaps: { namespace_rate_cap: 40 },
    });
    expect(delivering(s).status).toBe('True');
    expect(s.droppedByCaps).toEqual({ namespace_rate_cap: 40 });
  });

  test('an Accepted pipeline whose record size was clamped says so', () => {
    const s = pipelineStatus({
      ...base,
      state: { ...base.state, note: 'records longer than 64Ki are truncated' },
    });
    const accepted = (s.conditions as { type: string; message: string }[]).find(
      (c) => c.type === 'Accepted',
    )!;
    expect(accepted.message).toBe(
      'The spec is valid and every reference resolves. Note: records longer than 64Ki are truncated.',
    );
  });
});
