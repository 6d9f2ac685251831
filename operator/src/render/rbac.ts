// Least-privilege RBAC of the agent: read pods, namespaces and nodes (enrichment); create
// TokenReviews and SubjectAccessReviews (`sluice tap`: the agent checks who calls /tap and whether
// they may `get` logpipelines/tap, agent/src/ops/tap-auth.ts); report its own state through Leases
// and read its config shards (ConfigMaps) in its namespace; and `get`/`watch` exactly the Secrets that outputs
// reference, through one Role per namespace with `resourceNames`.
import type { SecretRef } from '../compile/secrets.ts';
import { meta } from './meta.ts';
import type { RenderSettings } from './settings.ts';

export function renderAgentServiceAccount(s: RenderSettings): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(s, s.agentName) };
}

export function renderAgentClusterRole(s: RenderSettings): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: meta(s, s.agentName, null),
    rules: [
      { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    ],
  };
}

export function renderAgentClusterRoleBinding(s: RenderSettings): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta(s, s.agentName, null),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: s.agentName },
    subjects: [{ kind: 'ServiceAccount', name: s.agentName, namespace: s.namespace }],
  };
}

/**
 * In the agent's own namespace only: Leases carry each agent's config hashes and delivery figures;
 * ConfigMaps are read (get/list/watch, no writes) for the per-namespace config shards, which the
 * agent lists by label (shardSelector) — RBAC cannot narrow list/watch to a label, so the Role
 * covers the namespace's ConfigMaps, which hold no secrets (Secrets are a separate resource).
 */
export function renderAgentStatusRole(s: RenderSettings): Record<string, unknown>[] {
  const name = `${s.agentName}-status`;
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(s, name),
      rules: [
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          verbs: ['get', 'create', 'update', 'patch'],
        },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(s, name),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: s.agentName, namespace: s.namespace }],
    },
  ];
}

/** One Role + RoleBinding per namespace that holds referenced Secrets, naming exactly those Secrets. */
export function renderSecretRoles(s: RenderSettings, refs: SecretRef[]): Record<string, unknown>[] {
  const byNs = new Map<string, Set<string>>();
  for (const r of refs) {
    if (!byNs.has(r.namespace)) byNs.set(r.namespace, new Set());
    byNs.get(r.namespace)!.add(r.name);
  }
  const name = `${s.agentName}-secrets`;
  return [...byNs.keys()].sort().flatMap((ns) => [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(s, name, ns),
      rules: [
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: [...byNs.get(ns)!].sort(),
          verbs: ['get', 'list', 'watch'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(s, name, ns),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: s.agentName, namespace: s.namespace }],
    },
  ]);
}
