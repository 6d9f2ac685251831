// The admission policy that confines each agent to its own node's report Lease.
//
// RBAC cannot name the Lease an agent may write (the name carries the node, and every agent pod
// shares one ServiceAccount), so RBAC alone would let a compromised agent overwrite another node's
// report, or the operator's leader-election Lease in the same namespace. Like the kubelet's
// NodeRestriction, this ValidatingAdmissionPolicy ties the write to the caller's bound token: a
// projected ServiceAccount token carries the pod and node it was issued for
// (`authentication.kubernetes.io/node-name` and `.../pod-name`, Kubernetes ≥ 1.30), and the agent
// may only write the Lease `<agent>-<its node>`, labelled as a report, holding its own pod name.
// Shipped by the chart (and manifests/), not rendered by the operator: admission policies are
// cluster-wide controls that the operator's ServiceAccount should not be able to write.
import { REPORT_LABEL } from '../../../contract/report.ts';

const NODE = 'authentication.kubernetes.io/node-name';
const POD = 'authentication.kubernetes.io/pod-name';

export interface AgentPolicySettings {
  namespace: string;
  agentName: string;
}

/** The policy's name (cluster-scoped, so it carries the agent's namespace). */
export const agentPolicyName = (s: AgentPolicySettings) => `${s.agentName}-reports.${s.namespace}.sluice.dev`;

export function renderAgentLeasePolicy(
  s: AgentPolicySettings,
  labels: Record<string, string> = {},
): Record<string, unknown>[] {
  const name = agentPolicyName(s);
  const user = `system:serviceaccount:${s.namespace}:${s.agentName}`;
  const extra = (key: string) => `request.userInfo.extra[${JSON.stringify(key)}][0]`;
  const pass = `request.operation == 'DELETE' || !variables.bound`; // the first rule refuses these
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['coordination.k8s.io'],
              apiVersions: ['*'],
              operations: ['CREATE', 'UPDATE', 'DELETE'],
              resources: ['leases'],
            },
          ],
        },
        matchConditions: [
          { name: 'agent-service-account', expression: `request.userInfo.username == '${user}'` },
        ],
        // The caller's token names its pod and node only when it is bound to a pod.
        variables: [
          {
            name: 'bound',
            expression: `has(request.userInfo.extra) && ${JSON.stringify(NODE)} in request.userInfo.extra && ${JSON.stringify(POD)} in request.userInfo.extra`,
          },
          { name: 'node', expression: `variables.bound ? ${extra(NODE)} : ''` },
          { name: 'pod', expression: `variables.bound ? ${extra(POD)} : ''` },
        ],
        validations: [
          {
            expression: `request.operation != 'DELETE' && variables.bound`,
            message: `${user} may only create or update Leases with a pod-bound token (projected ServiceAccount token of an agent pod)`,
            reason: 'Forbidden',
          },
          {
            expression: `${pass} || object.metadata.name == '${s.agentName}-' + variables.node`,
            messageExpression: `'an agent may only write its own node\\'s report Lease ${s.agentName}-' + variables.node`,
            reason: 'Forbidden',
          },
          {
            expression: `${pass} || (has(object.metadata.labels) && '${REPORT_LABEL}' in object.metadata.labels && has(object.spec.holderIdentity) && object.spec.holderIdentity == variables.pod)`,
            message: `a report Lease must carry the label ${REPORT_LABEL} and hold the writing pod's name`,
            reason: 'Forbidden',
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels },
      spec: {
        policyName: name,
        validationActions: ['Deny'],
        matchResources: {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': s.namespace } },
        },
      },
    },
  ];
}
