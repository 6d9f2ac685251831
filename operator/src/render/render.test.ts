// Golden files pin what the operator applies. After an intended change, regenerate them with
// `UPDATE_GOLDEN=1 npm run test:unit -- operator/src/render` and review the diff.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import * as yaml from 'js-yaml';
import { compileResources, configSecretRefs } from '../compile/index.ts';
import { CONFIGMAP_MAX_BYTES } from './configmap.ts';
import { AGENT_CONFIG_KEY, agentConfigText, defaultSettings, renderAll } from './index.ts';

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

describe('render', () => {
  const objects = renderExamples();

  test('the examples render to the golden objects', () => {
    // The ConfigMap carries the config gzipped; the golden files show it readable, in its own file.
    const readable = objects.map((o) =>
      o.kind === 'ConfigMap'
        ? { ...o, binaryData: { [AGENT_CONFIG_KEY]: '<gzip of render-examples.agent.json>' } }
        : o,
    );
    check(
      'render-examples.yaml',
      readable.map((o) => yaml.dump(o, { lineWidth: -1, noRefs: true })).join('---\n'),
    );
    const cm = objects.find((o) => o.kind === 'ConfigMap')!;
    check('render-examples.agent.json', `${JSON.stringify(JSON.parse(agentConfigText(cm)!), null, 2)}\n`);
  });

  test('the ConfigMap carries exactly the compiled config, compressed, and renders byte-identically', () => {
    const cm = objects.find((o) => o.kind === 'ConfigMap')!;
    const compiled = compileResources(readdirYaml(join(root, 'examples'))).config;
    expect(JSON.parse(agentConfigText(cm)!)).toEqual(JSON.parse(JSON.stringify(compiled)));
    expect(cm.data).toBeUndefined();
    // same input, same bytes: an unchanged world must not re-apply the ConfigMap
    expect(renderExamples().find((o) => o.kind === 'ConfigMap')).toEqual(cm);
  });

  test('thousands of pipelines fit the ConfigMap size limit', () => {
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
    const cm = renderAll({ settings: defaultSettings(), config, secretRefs: [] }).find(
      (o) => o.kind === 'ConfigMap',
    )!;
    const size = JSON.stringify(cm).length;
    expect(JSON.stringify(config).length).toBeGreaterThan(CONFIGMAP_MAX_BYTES);
    expect(size).toBeLessThan(CONFIGMAP_MAX_BYTES / 4);
    expect(JSON.parse(agentConfigText(cm)!)).toEqual(config);
  });

  test('no secret value and no secret-looking data reaches the ConfigMap', () => {
    const cm = objects.find((o) => o.kind === 'ConfigMap')!;
    const cfg = agentConfigText(cm)!;
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
