// Pieces the chart template emitters share: RBAC rules as YAML, and object metadata with the
// chart's labels.
import * as yaml from 'js-yaml';

/** `rules:` of a Role or ClusterRole, flow style from the third level (compact, diff-friendly). */
export const rulesYaml = (r: unknown): string =>
  yaml.dump({ rules: r }, { lineWidth: -1, noRefs: true, flowLevel: 3 }).trimEnd();

/** `metadata:` with the release namespace when namespaced, the chart labels and `extraLabels` lines. */
export function metaLines(name: string, namespaced: boolean, extraLabels: string[] = []): string {
  return [
    'metadata:',
    `  name: ${name}`,
    ...(namespaced ? ['  namespace: {{ .Release.Namespace }}'] : []),
    '  labels:',
    '    {{- include "sluice.labels" . | nindent 4 }}',
    ...extraLabels.map((l) => `    ${l}`),
  ].join('\n');
}
