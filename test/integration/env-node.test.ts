// The real node of test/env: a kubelet and containerd registered with the test apiserver. A pod
// from a locally imported image runs a real program; its stdout lands in CRI format under the
// node's /var/log/pods (a run directory on this machine) and comes back through `kubectl logs`; a
// hostPath of /var/lib/sluice is the node's data directory; a pod reaches the apiserver at
// 10.96.0.1:443 with its ServiceAccount token and the other test servers at 10.96.0.2:<port>, and
// verifies their certificates (for those IPs) against the CA in its ServiceAccount volume.
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import {
  adminKubeConfig,
  importImage,
  kafkaEnv,
  kubeEnv,
  nodeEnv,
  openSearchEnv,
  s3Env,
  VERSIONS,
  writeOciArchive,
} from '../env/index.ts';
import { waitUntil } from '../env/wait.ts';

const kube = kubeEnv();
const node = nodeEnv();
const kc: KubeConfig = adminKubeConfig(kube);
const core = kc.makeApiClient(CoreV1Api);
const ns = `env-node-${Date.now()}`;

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await waitUntil(
    'default ServiceAccount',
    async () => {
      await core.readNamespacedServiceAccount({ name: 'default', namespace: ns });
      return true;
    },
    { timeoutMs: 30_000 },
  );
});
afterAll(async () => {
  await core.deleteNamespace({ name: ns }).catch(() => {});
});

function busyboxPod(name: string, script: string, extra: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    metadata: { name, namespace: ns },
    spec: {
      nodeName: node.name,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'main',
          image: node.images.busybox,
          imagePullPolicy: 'Never',
          command: ['/bin/sh', '-c', script],
          volumeMounts: extra?.volumes?.map((v) => ({ name: v.name, mountPath: `/host/${v.name}` })),
        },
      ],
      ...extra,
    },
  };
}

async function phase(name: string, want: string[], timeoutMs = 120_000): Promise<V1Pod> {
  let pod: V1Pod | undefined;
  await waitUntil(
    `pod ${name} ${want.join('|')}`,
    async () => {
      pod = await core.readNamespacedPod({ name, namespace: ns });
      if (pod.status?.phase === 'Failed' && !want.includes('Failed'))
        throw new Error(`pod ${name} failed: ${JSON.stringify(pod.status)}`);
      return want.includes(pod.status?.phase ?? '');
    },
    { timeoutMs, intervalMs: 200 },
  );
  return pod!;
}

describe('test env: real node', () => {
  test('the node is Ready, at the machine IP, with the built kubelet, and not a kwok node', async () => {
    const n = await core.readNode({ name: node.name });
    expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(n.status?.addresses).toContainEqual({ type: 'InternalIP', address: node.ip });
    expect(n.status?.nodeInfo?.kubeletVersion).toBe(VERSIONS.kubernetes);
    expect(n.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\//);
    expect(n.metadata?.annotations?.['kwok.x-k8s.io/node']).toBeUndefined();
    expect(kube.nodes).not.toContain(node.name);
  });

  test('the `kubernetes` Service is 10.96.0.1:443 and its endpoint the apiserver port (what pods are sent to)', async () => {
    const svc = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    expect(svc.spec?.clusterIP).toBe('10.96.0.1');
    expect(svc.spec?.ports?.[0]?.port).toBe(443);
    const ep = await core.readNamespacedEndpoints({ name: 'kubernetes', namespace: 'default' });
    expect(ep.subsets?.[0]?.addresses?.map((a) => a.ip)).toEqual([node.ip]);
    expect(ep.subsets?.[0]?.ports?.[0]?.port).toBe(Number(new URL(kube.server).port));
  });

  test("a pod's stdout lands in CRI format under the node's /var/log/pods and comes back through the API", async () => {
    const t0 = Date.now();
    await core.createNamespacedPod({
      namespace: ns,
      body: busyboxPod('logger', 'for i in 1 2 3; do echo "line $i"; done; exec sleep 3600'),
    });
    const pod = await phase('logger', ['Running']);
    const runningMs = Date.now() - t0;
    process.stderr.write(`pod Running ${runningMs} ms after create\n`);
    const file = join(node.varLogDir, 'pods', `${ns}_logger_${pod.metadata!.uid}`, 'main', '0.log');
    await waitUntil(
      '3 lines in the CRI log file',
      async () => existsSync(file) && readFileSync(file, 'utf8').split('\n').length > 3,
      {
        timeoutMs: 30_000,
      },
    );
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    lines.forEach((l, i) => {
      expect(l).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+ stdout F line ${i + 1}$`));
    });
    // the kubelet's /var/log/containers symlink, as agents find container logs on a real node
    const links = readdirSync(join(node.varLogDir, 'containers'));
    expect(links.some((f) => f.startsWith(`logger_${ns}_main-`) && f.endsWith('.log'))).toBe(true);
    const logs = await core.readNamespacedPodLog({ name: 'logger', namespace: ns, container: 'main' });
    expect(logs).toBe('line 1\nline 2\nline 3\n');
  }, 180_000);

  test('importImage loads an OCI archive written by writeOciArchive, and a pod runs it with imagePullPolicy Never', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-node-image-'));
    try {
      const root = join(dir, 'rootfs');
      mkdirSync(join(root, 'bin'), { recursive: true });
      copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
      chmodSync(join(root, 'bin', 'busybox'), 0o755);
      const ref = `localhost/sluice-test/echo:${Date.now()}`;
      writeOciArchive(join(dir, 'echo.tar'), {
        ref,
        rootfs: root,
        entrypoint: ['/bin/busybox', 'echo'],
        cmd: ['imported'],
      });
      await importImage(join(dir, 'echo.tar'));
      await core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name: 'imported', namespace: ns },
          spec: {
            nodeName: node.name,
            restartPolicy: 'Never',
            containers: [{ name: 'main', image: ref, imagePullPolicy: 'Never' }],
          },
        },
      });
      await phase('imported', ['Succeeded']);
      expect(await core.readNamespacedPodLog({ name: 'imported', namespace: ns, container: 'main' })).toBe(
        'imported\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  test("a hostPath /var/lib/sluice is the node's data directory", async () => {
    const marker = `written-by-pod-${Date.now()}`;
    await core.createNamespacedPod({
      namespace: ns,
      body: busyboxPod('hostpath', `echo ${marker} > /host/data/marker`, {
        volumes: [{ name: 'data', hostPath: { path: '/var/lib/sluice', type: 'DirectoryOrCreate' } }],
      }),
    });
    await phase('hostpath', ['Succeeded']);
    expect(readFileSync(join(node.dataDir, 'marker'), 'utf8').trim()).toBe(marker);
  }, 180_000);

  test('a pod reaches the apiserver at 10.96.0.1:443 with its token, and test servers at 10.96.0.2, verifying TLS', async () => {
    const s3Port = new URL(s3Env().endpoint).port;
    const proxyPort = new URL(openSearchEnv().secure.url).port;
    const kafkaPort = kafkaEnv().pod.brokers[0]!.split(':')[1];
    const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
    // the pod's CA bundle (kube-root-ca.crt) is the test CA, which signs every test server
    const verify = (label: string, ip: string, port: string) =>
      `echo | openssl s_client -connect ${ip}:${port} -CAfile ${sa}/ca.crt -verify_ip ${ip} -verify_return_error -brief 2>&1 | grep -m1 '^Verification' | sed 's/^/${label} /'`;
    const script = [
      'echo "service $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"',
      verify('apiserver', '10.96.0.1', '443'),
      // busybox's wget cannot speak this TLS: an HTTP request by hand through openssl (-quiet
      // keeps reading after stdin ends, until the server closes)
      `printf 'GET /api HTTP/1.1\\r\\nHost: 10.96.0.1\\r\\nAuthorization: Bearer %s\\r\\nConnection: close\\r\\n\\r\\n' "$(cat ${sa}/token)" | openssl s_client -connect 10.96.0.1:443 -CAfile ${sa}/ca.crt -verify_return_error -quiet 2>/dev/null; echo`,
      verify('opensearch-proxy', node.hostServices, proxyPort),
      `wget -q -S -O /dev/null http://${node.hostServices}:${s3Port}/minio/health/ready 2>&1 | grep -m1 HTTP/`,
      `if nc -w 5 ${node.hostServices} ${kafkaPort} </dev/null; then echo kafka-connected; fi`,
    ].join('\n');
    await core.createNamespacedPod({ namespace: ns, body: busyboxPod('net', script) });
    await phase('net', ['Succeeded', 'Failed']);
    const out = await core.readNamespacedPodLog({ name: 'net', namespace: ns, container: 'main' });
    expect(out).toContain('service 10.96.0.1:443');
    expect(out).toContain('apiserver Verification: OK');
    expect(out).toContain('"kind":"APIVersions"');
    expect(out).toContain('opensearch-proxy Verification: OK');
    expect(out).toMatch(/HTTP\/1\.1 200 OK/);
    expect(out).toContain('kafka-connected');
  }, 180_000);
});
