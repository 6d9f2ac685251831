// Golden files pin what the operator applies. After an intended change, regenerate them with
// `UPDATE_GOLDEN=1 npm run test:unit -- operator/src/render` and review the diff.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import * as yaml from 'js-yaml';
import { BASE_SHARD, mergeShards, SHARD_LABEL, shardOf } from '../../../contract/agent-config/shards.ts';
import type { AgentConfig } from '../../../contract/agent-config/types.ts';
import { compileResources, configSecretRefs } from '../compile/index.ts';
import { CONFIGMAP_MAX_BYTES } from './configmap.ts';
import { agentConfigText, defaultSettings, renderAll } from './index.ts';

const root = join(import.meta.dirname, '../../..');
const golden = (name: string) => join(root, 'test/fixtures/golden', name);

function check(name: string, text: string): void {
  const file = golden(name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI && !existsSync(file)) throw new Error(`golden file ${name} is missing`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}

function renderExamples() {
  const docs = readdirYaml(join(root, 'examples'));
  const compiled = compileResources(docs);
  const refs = configSecretRefs(compiled);
  const config = compiled.config;
  return renderAll({ settings: defaultSettings(), config, secretRefs: refs });
}

function readdirYaml(dir: string): unknown[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => yaml.loadAll(readFileSync(join(dir, f), 'utf8')));
}

/** The whole config the agent ConfigMaps carry: the base with every shard merged, by id. */
function carried(objects: Record<string, unknown>[]): AgentConfig {
  const cms = objects.filter((o) => o.kind === 'ConfigMap');
  const [base, ...shards] = cms.map((cm) => JSON.parse(agentConfigText(cm)!) as AgentConfig);
  const m = mergeShards(base!, shards);
  return { ...m, pipelines: sortById(m.pipelines), outputs: sortById(m.outputs) };
}
const sortById = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('render', () => {
  const objects = renderExamples();

  test('the examples render to the golden objects', () => {
    // The ConfigMaps carry the config gzipped; the golden files show it readable, in its own
    // file (the base and every namespace shard merged).
    const readable = objects.map((o) =>
      o.kind === 'ConfigMap'
        ? {
            ...o,
            binaryData: Object.fromEntries(
              Object.keys(o.binaryData as object).map((k) => [
                k,
                '<gzip of its part of render-examples.agent.json>',
              ]),
            ),
          }
        : o,
    );
    check(
      'render-examples.yaml',
      readable.map((o) => yaml.dump(o, { lineWidth: -1, noRefs: true })).join('---\n'),
    );
    check('render-examples.agent.json', `${JSON.stringify(carried(objects), null, 2)}\n`);
  });

  test('the ConfigMaps carry exactly the compiled config, compressed, and render byte-identically', () => {
    const cms = objects.filter((o) => o.kind === 'ConfigMap');
    const compiled = JSON.parse(JSON.stringify(compileResources(readdirYaml(join(root, 'examples'))).config));
    expect(carried(objects)).toEqual({
      ...compiled,
      pipelines: sortById(compiled.pipelines),
      outputs: sortById(compiled.outputs),
    });
    // the base and one shard per namespace of the examples, each labelled with its namespace
    expect(
      cms.map((c) => (c.metadata as { labels: Record<string, string> }).labels[SHARD_LABEL] ?? ''),
    ).toEqual([
      '',
      ...new Set(
        [...compiled.pipelines, ...compiled.outputs]
          .map((x: { id: string }) => shardOf(x.id))
          .filter((k: string) => k !== BASE_SHARD)
          .sort(),
      ),
    ]);
    for (const cm of cms) expect(cm.data).toBeUndefined();
    // same input, same bytes: an unchanged world must not re-apply the ConfigMaps
    expect(renderExamples().filter((o) => o.kind === 'ConfigMap')).toEqual(cms);
  });

  test('thousands of pipelines in a thousand namespaces: one small ConfigMap each, the base holds none', () => {
    const pipelines = Array.from({ length: 10_000 }, (_, i) => ({
      id: `LogPipeline/ns-${i % 1000}/p-${i}`,
      kind: 'LogPipeline' as const,
      name: `p-${i}`,
      namespace: `ns-${i % 1000}`,
      input: { namespaces: { include: [`ns-${i % 1000}`] } },
      parse: {},
      outputs: [`LogOutput/ns-${i % 1000}/out`],
    }));
    const outputs = Array.from({ length: 1000 }, (_, i) => ({
      id: `LogOutput/ns-${i}/out`,
      kind: 'LogOutput' as const,
      name: 'out',
      namespace: `ns-${i}`,
      type: 'stdout' as const,
      options: {},
    }));
    const config = { apiVersion: 'agent.sluice.dev/v1' as const, pipelines, outputs };
    const all = renderAll({ settings: defaultSettings(), config, secretRefs: [] });
    const cms = all.filter((o) => o.kind === 'ConfigMap');
    expect(JSON.stringify(config).length).toBeGreaterThan(CONFIGMAP_MAX_BYTES);
    expect(cms).toHaveLength(1001);
    for (const cm of cms) expect(JSON.stringify(cm).length).toBeLessThan(2000);
    expect(JSON.parse(agentConfigText(cms[0])!).pipelines).toEqual([]);
    expect(carried(all)).toEqual({ ...config, pipelines: sortById(pipelines), outputs: sortById(outputs) });
  });

  test('no secret value and no secret-looking data reaches the ConfigMaps', () => {
    const cfg = JSON.stringify(carried(objects));
    expect(cfg).toContain('"secret"');
    expect(cfg).not.toMatch(/"password"\s*:\s*"/);
  });

  test('the agent may read exactly the referenced Secrets, per namespace', () => {
    const roles = objects.filter(
      (o) => o.kind === 'Role' && (o.metadata as { name: string }).name === 'sluice-agent-secrets',
    );
    const byNs = Object.fromEntries(
      roles.map((r) => [
        (r.metadata as { namespace: string }).namespace,
        (r.rules as Array<{ resourceNames: string[] }>)[0]!.resourceNames,
      ]),
    );
    expect(byNs).toEqual({
      shop: ['kafka-ca', 'kafka-user', 'opensearch-ca', 'opensearch-writer'],
      'sluice-system': ['archive-s3'],
    });
  });

  test('a config change changes the hash on the DaemonSet, not its pod template', () => {
    const ds = (o: Record<string, unknown>[]) =>
      o.find((x) => x.kind === 'DaemonSet') as {
        metadata: { annotations: Record<string, string> };
        spec: { template: unknown };
      };
    const a = renderAll({
      settings: defaultSettings(),
      config: { apiVersion: 'agent.sluice.dev/v1', pipelines: [], outputs: [] },
      secretRefs: [],
    });
    const b = renderAll({
      settings: defaultSettings(),
      config: { apiVersion: 'agent.sluice.dev/v1', pipelines: [], outputs: [{ id: 'x', type: 'stdout' }] },
      secretRefs: [],
    });
    expect(ds(a).metadata.annotations['sluice.dev/config-hash']).not.toBe(
      ds(b).metadata.annotations['sluice.dev/config-hash'],
    );
    expect(ds(a).spec.template).toEqual(ds(b).spec.template);
  });

  test('the agent container runs with every capability dropped and a read-only root', () => {
    const ds = objects.find((o) => o.kind === 'DaemonSet') as {
      spec: { template: { spec: { containers: Array<{ securityContext: Record<string, unknown> }> } } };
    };
    expect(ds.spec.template.spec.containers[0]!.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
  });
});
