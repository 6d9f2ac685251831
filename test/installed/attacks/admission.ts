// Attacks the apiserver refuses: RBAC (the built-in edit role and the chart's aggregated roles),
// the CRD schema, Pod Security. Each reads the status code and the reason of the answer.
import { expect } from '@jest/globals';
import { NS } from '../install.ts';
import { apiPath, apiRequest } from '../tenant.ts';
import {
  AGENT,
  type Attack,
  AUDIT,
  agentPod,
  clo,
  EVIL,
  expectForbidden,
  expectUnknownField,
  fromPods,
  kafkaTo,
  kube,
  lo,
  lp,
  meta,
  node,
  RUN,
  S,
  SHARED,
  s3env,
  toOut,
  V,
  VICTIM,
} from './scene.ts';

/** Refused by the apiserver: RBAC, the CRD schema, Pod Security. */
export const ADMISSION: Attack[] = [
  {
    name: 'create a ClusterLogPipeline reading every namespace',
    refusal: '403 (RBAC: cluster-scoped kinds are not in edit)',
    run: async () =>
      expectForbidden(
        await S.evil.create({
          apiVersion: V,
          kind: 'ClusterLogPipeline',
          metadata: meta(`steal-${RUN}`),
          spec: { input: { namespaces: {} }, outputs: [{ name: SHARED, kind: 'ClusterLogOutput' }] },
        }),
        'cannot create resource "clusterlogpipelines"',
      ),
  },
  {
    name: 'patch the platform audit ClusterLogPipeline to skip its namespace',
    refusal: '403 (RBAC)',
    run: async () =>
      expectForbidden(
        await S.evil.patch(
          { apiVersion: V, kind: 'ClusterLogPipeline', metadata: meta(AUDIT) },
          { spec: { input: { namespaces: { include: [VICTIM] } } } },
        ),
        'cannot patch resource "clusterlogpipelines"',
      ),
  },
  {
    name: 'create a ClusterLogOutput',
    refusal: '403 (RBAC)',
    run: async () =>
      expectForbidden(
        await S.evil.create(clo(`mine-${RUN}`, { ...kafkaTo('mine'), allowedNamespaces: { names: [EVIL] } })),
        'cannot create resource "clusterlogoutputs"',
      ),
  },
  {
    name: 'admit its namespace to a ClusterLogOutput that does not admit it',
    refusal: '403 (RBAC)',
    run: async () =>
      expectForbidden(
        await S.evil.patch(clo(`platform-only-${RUN}`, {}), {
          spec: { allowedNamespaces: { names: [EVIL] } },
        }),
        'cannot patch resource "clusterlogoutputs"',
      ),
  },
  {
    name: 'a LogPipeline naming other namespaces (spec.input.namespaces)',
    refusal: '400 (schema: unknown field)',
    run: async () =>
      expectUnknownField(
        await S.evil.create(
          lp(EVIL, 'others', { input: { namespaces: { include: [VICTIM] } }, outputs: toOut }),
        ),
        'spec.input.namespaces',
      ),
  },
  {
    name: "a LogPipeline reading the node's files (spec.input.hostFiles)",
    refusal: '400 (schema: unknown field)',
    run: async () =>
      expectUnknownField(
        await S.evil.create(
          lp(EVIL, 'host', { input: { hostFiles: { paths: ['/var/log/*.log'] } }, outputs: toOut }),
        ),
        'spec.input.hostFiles',
      ),
  },
  {
    name: "a Secret reference naming the victim's namespace",
    refusal: '400 (schema: LogOutput references have no namespace)',
    run: async () =>
      expectUnknownField(
        await S.evil.create(
          lo(EVIL, 'theirs', {
            s3: {
              bucket: 'b',
              region: s3env.region,
              endpoint: fromPods(s3env.endpoint),
              credentials: {
                accessKeyId: { name: 'archive-keys', key: 'id', namespace: VICTIM },
                secretAccessKey: { name: 'archive-keys', key: 'secret', namespace: VICTIM },
              },
            },
          }),
        ),
        'spec.s3.credentials.accessKeyId.namespace',
      ),
  },
  {
    name: 'rewrite the agent ConfigMap (every tenant’s pipelines)',
    refusal: '403 (RBAC: nothing in the operator namespace)',
    run: async () =>
      expectForbidden(
        await S.evil.patch(
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(AGENT, NS) },
          { data: { x: 'y' } },
        ),
        `cannot patch resource "configmaps" in API group "" in the namespace "${NS}"`,
      ),
  },
  {
    name: 'patch the agent DaemonSet (another image)',
    refusal: '403 (RBAC)',
    run: async () =>
      expectForbidden(
        await S.evil.api(
          'PATCH',
          `/apis/apps/v1/namespaces/${NS}/daemonsets/${AGENT}`,
          { spec: { template: { spec: { containers: [{ name: 'agent', image: 'evil' }] } } } },
          'application/strategic-merge-patch+json',
        ),
        'cannot patch resource "daemonsets"',
      ),
  },
  {
    name: "overwrite its node's agent report Lease in the operator namespace",
    refusal: '403 (RBAC)',
    run: async () =>
      expectForbidden(
        await S.evil.patch(
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: meta(`${AGENT}-${node.name}`, NS),
          },
          { metadata: { annotations: { 'sluice.dev/report': '{"v":1,"o":{}}' } } },
        ),
        'cannot patch resource "leases"',
      ),
  },
  {
    name: 'pose as the agent: its own ServiceAccount named sluice-agent writes the report Lease',
    refusal: '403 (RBAC: another user, system:serviceaccount:<its namespace>:sluice-agent)',
    run: async () => {
      const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(AGENT, EVIL) };
      expect((await S.evil.create(sa)).status).toBe(201);
      const tr = await S.evil.api('POST', `${apiPath(sa, AGENT)}/token`, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 600 },
      });
      expect(tr.status).toBe(201);
      const r = await apiRequest(
        kube,
        tr.body.status.token,
        'PATCH',
        apiPath(
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: meta(`${AGENT}-${node.name}`, NS),
          },
          `${AGENT}-${node.name}`,
        ),
        { metadata: { annotations: { 'sluice.dev/report': '{"v":1,"o":{}}' } } },
        'application/merge-patch+json',
      );
      expectForbidden(r, `system:serviceaccount:${EVIL}:${AGENT}`);
    },
  },
  {
    name: "run a pod as the agent's ServiceAccount in the operator namespace",
    refusal: '403 (RBAC)',
    run: async () =>
      expectForbidden(
        await S.evil.create({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: meta('agent-twin', NS),
          spec: { serviceAccountName: AGENT, containers: [{ name: 'x', image: node.images.busybox }] },
        }),
        'cannot create resource "pods"',
      ),
  },
  {
    name: 'exec into the agent pod (its token, every tenant’s buffers)',
    refusal: '403 (RBAC: pods/exec)',
    run: async () =>
      expectForbidden(
        await S.evil.api(
          'POST',
          `/api/v1/namespaces/${NS}/pods/${agentPod().metadata.name}/exec?command=cat&command=/var/run/secrets/kubernetes.io/serviceaccount/token&stdout=true`,
        ),
        'cannot create resource "pods/exec"',
      ),
  },
  {
    name: 'a pod mounting the node’s /var/log/pods (hostPath) to read every log',
    refusal: '403 (Pod Security baseline on tenant namespaces)',
    run: async () =>
      expectForbidden(
        await S.evil.create({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: meta('logs-thief', EVIL),
          spec: {
            containers: [
              { name: 'x', image: node.images.busybox, volumeMounts: [{ name: 'l', mountPath: '/l' }] },
            ],
            volumes: [{ name: 'l', hostPath: { path: '/var/log/pods' } }],
          },
        }),
        /violates PodSecurity "baseline:.*": hostPath volumes/,
      ),
  },
  {
    name: "delete the victim's LogPipeline",
    refusal: '403 (RBAC)',
    run: async () =>
      expectForbidden(await S.evil.delete(lp(VICTIM, 'shop', {})), 'cannot delete resource "logpipelines"'),
  },
  {
    name: "pause the victim's LogPipeline",
    refusal: '403 (RBAC)',
    run: async () =>
      expectForbidden(
        await S.evil.patch(lp(VICTIM, 'shop', {}), { spec: { paused: true } }),
        'cannot patch resource "logpipelines"',
      ),
  },
  {
    name: "read the victim's Secret",
    refusal: '403 (RBAC)',
    run: async () =>
      expectForbidden(
        await S.evil.api('GET', `/api/v1/namespaces/${VICTIM}/secrets/archive-keys`),
        'cannot get resource "secrets"',
      ),
  },
  {
    name: "read the victim's pipeline status (figures, errors)",
    refusal: '403 (RBAC)',
    run: async () =>
      expectForbidden(
        await S.evil.api('GET', apiPath(lp(VICTIM, 'shop', {}), 'shop')),
        'cannot get resource "logpipelines"',
      ),
  },
  {
    name: 'bind itself cluster-admin in its namespace',
    refusal: '403 (RBAC: edit may not create RoleBindings)',
    run: async () =>
      expectForbidden(
        await S.evil.create({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: meta('me-admin', EVIL),
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [{ kind: 'ServiceAccount', name: 'attacker', namespace: EVIL }],
        }),
        'cannot create resource "rolebindings"',
      ),
  },
  {
    name: 'label its namespace sluice.dev/agent-identity=allowed',
    refusal: '403 (RBAC: namespaces are the platform’s)',
    run: async () =>
      expectForbidden(
        await S.evil.api(
          'PATCH',
          `/api/v1/namespaces/${EVIL}`,
          { metadata: { labels: { 'sluice.dev/agent-identity': 'allowed' } } },
          'application/merge-patch+json',
        ),
        'cannot patch resource "namespaces"',
      ),
  },
];
