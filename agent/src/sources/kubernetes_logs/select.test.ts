// Which pipelines a pod's `sluice.dev/exclude: "true"` hides it from: its own namespace's
// LogPipelines, and only the cluster pipelines that opted in.
import { expect, test } from '@jest/globals';
import type { PipelineConfig } from '../../../../contract/agent-config/types.ts';
import type { PodMeta } from '../../enrich/store.ts';
import type { PathMeta } from './path.ts';
import { excludedBy, selectFile } from './select.ts';

const path: PathMeta = {
  namespace: 'shop',
  pod: 'web',
  uid: 'u1',
  container: 'app',
  restart: 0,
  active: true,
};
const pod = (annotations: Record<string, string>): PodMeta =>
  ({ uid: 'u1', name: 'web', namespace: 'shop', labels: {}, annotations }) as PodMeta;
const tenant: PipelineConfig = { id: 't', kind: 'LogPipeline', name: 't', namespace: 'shop', outputs: ['o'] };
const platform: PipelineConfig = { id: 'c', kind: 'ClusterLogPipeline', name: 'c', outputs: ['o'] };
const optedIn: PipelineConfig = { ...platform, input: { excludeAnnotation: true } };

test('an excluded pod is skipped by its namespace LogPipelines and opted-in cluster pipelines only', () => {
  const excluded = pod({ 'sluice.dev/exclude': 'true' });
  expect(selectFile(tenant, path, excluded, {})).toBe('no');
  expect(selectFile(optedIn, path, excluded, {})).toBe('no');
  // The pod's owner cannot hide it from a platform pipeline that did not opt in.
  expect(selectFile(platform, path, excluded, {})).toBe('yes');
  expect([tenant, optedIn, platform].map((p) => excludedBy(p, excluded))).toEqual([true, true, false]);
});

test('other values, or no annotation, exclude nothing', () => {
  for (const a of [
    {} as Record<string, string>,
    { 'sluice.dev/exclude': 'false' },
    { 'sluice.dev/exclude': 'yes' },
  ])
    expect([tenant, optedIn].map((p) => selectFile(p, path, pod(a), {}))).toEqual(['yes', 'yes']);
});

test("a LogPipeline reads only its own namespace's files, whatever its config says", () => {
  const other: PathMeta = { ...path, namespace: 'bank' };
  const sneaky: PipelineConfig = { ...tenant, input: { namespaces: { include: ['bank'] } } };
  expect(selectFile(tenant, other, pod({}), {})).toBe('no');
  expect(selectFile(sneaky, other, pod({}), {})).toBe('no');
  expect(selectFile(platform, other, pod({}), {})).toBe('yes');
});
