// Least-privilege RBAC of the operator itself: the single source of the rules the Helm chart
// installs (scripts/generate.ts writes them into charts/sluice/templates/operator-rbac.yaml; CI
// fails on drift). Whatever the operator reads or applies must be granted here, and nothing more.
//
// RBAC forbids granting what one does not hold (escalation prevention), so the operator holds every
// permission of the roles it renders for the agent (rbac.ts): read pods, namespaces and nodes;
// read Secrets (it also resolves and watches them itself: ReferencedSecretMissing/KeyMissing);
// write Leases in its namespace.

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const READ = ['get', 'list', 'watch'];
/** Server-side apply creates with `patch`+`create`; pruning deletes. */
const MANAGE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** Cluster-wide rules: the four kinds, what they reference, and the agent's cluster-scoped RBAC. */
export function operatorClusterRules(agentName: string): PolicyRule[] {
  return [
    {
      apiGroups: ['sluice.dev'],
      resources: ['logpipelines', 'clusterlogpipelines', 'logoutputs', 'clusterlogoutputs'],
      verbs: READ,
    },
    {
      apiGroups: ['sluice.dev'],
      resources: [
        'logpipelines/status',
        'clusterlogpipelines/status',
        'logoutputs/status',
        'clusterlogoutputs/status',
      ],
      verbs: ['get', 'update', 'patch'],
    },
    // Referenced Secrets are resolved and watched (rotation); the agent's Roles name them.
    { apiGroups: [''], resources: ['secrets'], verbs: READ },
    // allowedNamespaces selectors; the agent ClusterRole grants the same reads.
    { apiGroups: [''], resources: ['namespaces', 'pods', 'nodes'], verbs: READ },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    // The agent's Secret-reading Roles live in the Secrets' namespaces: create anywhere, but
    // change or delete only the operator's own names (create cannot be limited by name).
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['roles', 'rolebindings'],
      verbs: ['list', 'watch', 'create'],
    },
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['roles', 'rolebindings'],
      resourceNames: [`${agentName}-secrets`, `${agentName}-status`],
      verbs: ['get', 'update', 'patch', 'delete'],
    },
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['clusterroles', 'clusterrolebindings'],
      verbs: ['list', 'watch', 'create'],
    },
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['clusterroles', 'clusterrolebindings'],
      resourceNames: [agentName],
      verbs: ['get', 'update', 'patch', 'delete'],
    },
  ];
}

/** Rules in the install namespace: the agent's objects, leader election, the agents' status Leases. */
export function operatorNamespaceRules(): PolicyRule[] {
  return [
    { apiGroups: [''], resources: ['serviceaccounts', 'configmaps', 'services'], verbs: MANAGE },
    { apiGroups: ['apps'], resources: ['daemonsets'], verbs: MANAGE },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: MANAGE },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: MANAGE },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: MANAGE },
  ];
}
