// Every generated file of the Helm chart, the install bundle (manifests/) and the generated parts
// of the docs, as { path relative to the repository: content }. scripts/generate.ts writes or
// checks them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboard } from './dashboard.ts';
import { agentPolicyTemplate } from './emit-policy.ts';
import { operatorRbacTemplate } from './emit-rbac.ts';
import { tapRbacTemplate } from './emit-tap-rbac.ts';
import { valuesSchema, valuesYaml } from './emit-values.ts';
import { chartReadme } from './readme.ts';

export const CHART = 'charts/sluice';
const root = join(import.meta.dirname, '..', '..');

/** The chart's generated files; `crds` are the generated CRDs (crds/*.yaml), copied into the chart. */
export function chartFiles(crds: Record<string, string>): Record<string, string> {
  const files: Record<string, string> = {
    [`${CHART}/values.yaml`]: valuesYaml(),
    [`${CHART}/values.schema.json`]: valuesSchema(),
    [`${CHART}/README.md`]: chartReadme(),
    [`${CHART}/templates/operator-rbac.yaml`]: operatorRbacTemplate(),
    [`${CHART}/templates/agent-lease-policy.yaml`]: agentPolicyTemplate(),
    [`${CHART}/templates/tap-rbac.yaml`]: tapRbacTemplate(),
    [`${CHART}/files/dashboards/sluice.json`]: `${JSON.stringify(dashboard(), null, 2)}\n`,
  };
  for (const [rel, text] of Object.entries(crds)) files[`${CHART}/${rel}`] = text;
  return files;
}

/**
 * Docs that embed a generated block between `<!-- BEGIN GENERATED name -->` and
 * `<!-- END GENERATED name -->`: the Argo CD health check is shipped once (the chart's Lua file).
 */
export function docBlocks(): Record<string, string> {
  const lua = readFileSync(join(root, CHART, 'files', 'argocd-health.lua'), 'utf8');
  const kinds = ['LogPipeline', 'ClusterLogPipeline', 'LogOutput', 'ClusterLogOutput'];
  const cm = [
    '```yaml',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: argocd-cm',
    '  namespace: argocd',
    '  labels: {app.kubernetes.io/part-of: argocd}',
    'data:',
    ...kinds.flatMap((k) => [
      `  resource.customizations.health.sluice.dev_${k}: |`,
      ...lua
        .trimEnd()
        .split('\n')
        .map((l) => (l === '' ? '' : `    ${l}`)),
    ]),
    '```',
  ].join('\n');
  const out: Record<string, string> = {};
  const doc = 'docs/install/argo-cd.md';
  try {
    out[doc] = fillBlock(readFileSync(join(root, doc), 'utf8'), 'argocd-health', cm);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return out;
}

export function fillBlock(text: string, name: string, content: string): string {
  const begin = `<!-- BEGIN GENERATED ${name} -->`;
  const end = `<!-- END GENERATED ${name} -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`missing ${begin} ... ${end}`);
  return `${text.slice(0, i + begin.length)}\n${content}\n${text.slice(j)}`;
}
