// Golden files pin what the operator applies. After an intended change, regenerate them with
// `UPDATE_GOLDEN=1 npm run test:unit -- operator/src/render` and review the diff.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import * as yaml from 'js-yaml';
import { compileResources, configSecretRefs } from '../compile/index.ts';
import { defaultSettings, renderAll } from './index.ts';

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
    check(
      'render-examples.yaml',
      objects.map((o) => yaml.dump(o, { lineWidth: -1, noRefs: true })).join('---\n'),
    );
  });

  test('no secret value and no secret-looking data reaches the ConfigMap', () => {
    const cm = objects.find((o) => o.kind === 'ConfigMap') as { data: Record<string, string> };
    const cfg = cm.data['agent.json']!;
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
