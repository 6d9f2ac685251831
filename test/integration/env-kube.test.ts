// The Kubernetes control plane of test/env is real: CRDs are served and watched, the DaemonSet
// controller, scheduler and kwok give one Ready pod per fake node, garbage collection removes
// owned pods, and RBAC is enforced on ServiceAccount tokens from the TokenRequest API.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  RbacAuthorizationV1Api,
  type V1CustomResourceDefinition,
  type V1DaemonSet,
  Watch,
} from '@kubernetes/client-node';
import { adminKubeConfig, kubeConfigFor, kubeEnv, serviceAccountCredentials } from '../env/index.ts';
import { waitUntil } from '../env/wait.ts';

const kube = kubeEnv();
const kc: KubeConfig = adminKubeConfig(kube);
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const ns = `env-smoke-${Date.now()}`;

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: ns } } });
});
afterAll(async () => {
  await core.deleteNamespace({ name: ns }).catch(() => {});
});

describe('test env: Kubernetes control plane', () => {
  test('a CRD is served and its custom resource is seen through a watch', async () => {
    const group = 'smoke.sluice.dev';
    const crd: V1CustomResourceDefinition = {
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
        ],
      },
    };
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({ body: crd });
    await waitUntil(
      'CRD established',
      async () => {
        const got = await ext.readCustomResourceDefinition({ name: crd.metadata!.name! });
        return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
      },
      { timeoutMs: 30_000 },
    );
    const custom = kc.makeApiClient(CustomObjectsApi);
    // Established comes a moment before the new resource's handler answers (429 until then).
    await waitUntil(
      'widgets served',
      async () => {
        await custom.listNamespacedCustomObject({ group, version: 'v1', namespace: ns, plural: 'widgets' });
        return true;
      },
      { timeoutMs: 30_000 },
    );

    const seen: { type: string; name: string; size: number }[] = [];
    let ended: unknown;
    const abort = await new Watch(kc).watch(
      `/apis/${group}/v1/namespaces/${ns}/widgets`,
      {},
      (type, obj) => seen.push({ type, name: obj.metadata.name, size: obj.spec?.size }),
      (err) => {
        ended = err ?? 'closed';
      },
    );
    try {
      await custom.createNamespacedCustomObject({
        group,
        version: 'v1',
        namespace: ns,
        plural: 'widgets',
        body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } },
      });
      await waitUntil(
        'ADDED event',
        async () => {
          if (ended) throw new Error(`watch ended: ${ended}`);
          return seen.some((e) => e.type === 'ADDED' && e.name === 'w1');
        },
        { timeoutMs: 15_000 },
      );
      expect(seen.find((e) => e.name === 'w1')).toEqual({ type: 'ADDED', name: 'w1', size: 3 });
    } finally {
      abort.abort();
      await ext.deleteCustomResourceDefinition({ name: crd.metadata!.name! });
    }
  }, 90_000);

  test('a DaemonSet gets one Ready pod per fake node, and its pods are garbage-collected', async () => {
    const ds: V1DaemonSet = {
      metadata: { name: 'agent', namespace: ns },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: {
            // kwok's nodes only: the real node (env-node.test.ts) would try to run the image
            nodeSelector: { type: 'kwok' },
            containers: [{ name: 'agent', image: 'sluice/agent:smoke' }],
          },
        },
      },
    };
    await apps.createNamespacedDaemonSet({ namespace: ns, body: ds });
    await waitUntil(
      '3 ready pods',
      async () => {
        const got = await apps.readNamespacedDaemonSet({ name: 'agent', namespace: ns });
        return got.status?.numberReady === kube.nodes.length;
      },
      { timeoutMs: 60_000 },
    );
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=agent' });
    expect(pods.items.map((p) => p.spec?.nodeName).sort()).toEqual([...kube.nodes].sort());
    for (const p of pods.items) {
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(p.metadata?.ownerReferences?.[0]?.kind).toBe('DaemonSet');
    }

    await apps.deleteNamespacedDaemonSet({ name: 'agent', namespace: ns, propagationPolicy: 'Background' });
    await waitUntil(
      'pods collected',
      async () => {
        const left = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=agent' });
        return left.items.length === 0;
      },
      { timeoutMs: 60_000 },
    );
  }, 120_000);

  test('RBAC is enforced for a ServiceAccount token from the TokenRequest API', async () => {
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'reader' } } });
    const creds = await serviceAccountCredentials(kube, { namespace: ns, name: 'reader' });
    expect(creds.server).toBe(kube.server);
    const asReader = kubeConfigFor(creds).makeApiClient(CoreV1Api);
    await expect(asReader.listNamespacedPod({ namespace: ns })).rejects.toMatchObject({ code: 403 });

    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'pod-reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'reader-reads-pods' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }],
      },
    });
    await waitUntil(
      'binding effective',
      async () => {
        await asReader.listNamespacedPod({ namespace: ns });
        return true;
      },
      { timeoutMs: 15_000 },
    );
    // still nothing beyond the Role: secrets stay forbidden, and so do other namespaces
    await expect(asReader.listNamespacedSecret({ namespace: ns })).rejects.toMatchObject({ code: 403 });
    await expect(asReader.listNamespacedPod({ namespace: 'default' })).rejects.toMatchObject({ code: 403 });
  }, 60_000);
});
