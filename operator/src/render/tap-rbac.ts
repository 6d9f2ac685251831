// Who may use `sluice tap`, the one source of the chart's tap RBAC (scripts/chart/emit-tap-rbac.ts)
// and of the tests. Two independent grants:
// - `get` on the virtual subresource logpipelines/tap (sluice.dev): what the agent checks with a
//   SubjectAccessReview for every tap (agent/src/ops/tap-auth.ts). Aggregated into the default
//   `admin` and `edit` ClusterRoles, so namespace editors tap their own namespace's pipelines. Not
//   into `view`: a tap is a live debugging stream that costs the agents and the apiserver work,
//   granted like the rest of pipeline authoring; viewers get it with one extra rule (docs/security.md).
//   clusterlogpipelines/tap stays with cluster admins (they hold `*`).
// - `list pods` and `get pods/proxy` in the agent namespace: how the CLI reaches the agents through
//   the apiserver. It grants no records by itself (the agent authorises the end user); it exposes
//   what the agents' and the operator's HTTP ports already serve to any pod (/metrics, /status,
//   /healthz, /readyz), which the NetworkPolicy admits from anywhere for Prometheus.
import type { PolicyRule } from './operator-rbac.ts';

export const TAP_RULES: readonly PolicyRule[] = [
  { apiGroups: ['sluice.dev'], resources: ['logpipelines/tap'], verbs: ['get'] },
];

export const TAP_PROXY_RULES: readonly PolicyRule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
  { apiGroups: [''], resources: ['pods/proxy'], verbs: ['get'] },
];
