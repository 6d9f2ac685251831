// A small real cluster: etcd, kube-apiserver (RBAC, ServiceAccount tokens), kube-controller-manager,
// kube-scheduler and kwok driving three fake nodes, so DaemonSets get pods that turn Ready and
// garbage collection works. Flags follow what controller-runtime's envtest uses, plus what a real
// cluster has for its nodes: the Node authorizer and NodeRestriction (a kubelet, like the real node's
// in node.ts, gets a node's permissions, not more), and a client certificate for the apiserver's
// calls to kubelets (`kubectl logs`/`exec`), which reaches them at their InternalIP.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Installed, install } from '../../../tools/install/index.ts';
import { VERSIONS } from '../../../tools/versions.ts';
import { primaryIPv4 } from '../node/host.ts';
import { issueClientCert } from '../pki.ts';
import { freePorts } from '../ports.ts';
import { startProcess } from '../proc.ts';
import type { KubeInfo, Tools } from '../types.ts';
import { http, waitUntil } from '../wait.ts';
import type { Ctx } from './context.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { applyFakeNodes, FAKE_NODES } from './kwok-nodes.ts';

type KubeBins = Pick<
  Installed,
  | 'kubeApiserver'
  | 'kubeControllerManager'
  | 'kubeScheduler'
  | 'kubectl'
  | 'etcd'
  | 'kwok'
  | 'kwokStages'
  | 'helm'
>;

function advertiseAddress(): string {
  try {
    return primaryIPv4();
  } catch {
    return '127.0.0.1'; // no network: no Endpoints for `kubernetes`, as before
  }
}

export async function installKube(ctx: Ctx): Promise<KubeBins> {
  const parts = await Promise.all([
    install.kubernetes(ctx.say),
    install.etcd(ctx.say),
    install.kwok(ctx.say),
    install.helm(ctx.say),
  ]);
  return Object.assign({}, ...parts) as KubeBins;
}

export async function startKube(ctx: Ctx, bins: KubeBins): Promise<{ kube: KubeInfo; tools: Tools }> {
  const dir = join(ctx.runDir, 'kube');
  mkdirSync(dir, { recursive: true });
  const [etcdPort, peerPort, apiPort, cmPort, schedPort, kwokPort] = await freePorts(6);
  const { pki } = ctx;

  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const etcd = startProcess(
    'etcd',
    bins.etcd,
    [
      '--name=sluice',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=sluice=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync', // test data: durability is not worth the fsync latency
      '--log-level=warn',
    ],
    { ports: [etcdPort!, peerPort!] },
  );
  ctx.track(etcd);
  await waitUntil(
    'etcd /health',
    async () => {
      const r = await http(`${etcdUrl}/health`);
      return r.status === 200 && JSON.parse(r.body).health === 'true';
    },
    { timeoutMs: 60_000, procs: [etcd] },
  );

  const token = randomBytes(24).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeletClient = issueClientCert(
    pki,
    'apiserver-kubelet-client',
    '/O=system:masters/CN=kube-apiserver-kubelet-client',
  );
  const apiserver = startProcess(
    'kube-apiserver',
    bins.kubeApiserver,
    [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      // The `kubernetes` Service's Endpoints must not be loopback (the apiserver refuses to publish
      // them, and logs that every 10 s): they name this machine's IP while the apiserver listens on
      // loopback only; pods of the real node reach it through the Service IP (node/network.ts).
      `--advertise-address=${advertiseAddress()}`,
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${pki.cert}`,
      `--tls-private-key-file=${pki.key}`,
      `--client-ca-file=${pki.caCert}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      `--kubelet-client-certificate=${kubeletClient.cert}`,
      `--kubelet-client-key=${kubeletClient.key}`,
      '--kubelet-preferred-address-types=InternalIP,Hostname',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.saKey}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      '--allow-privileged=true',
      '--profiling=false',
    ],
    { ports: [apiPort!] },
  );
  ctx.track(apiserver);
  const caData = readFileSync(pki.caCert, 'utf8');
  const auth = { authorization: `Bearer ${token}` };
  await waitUntil(
    'kube-apiserver /readyz',
    async () => {
      const r = await http(`${server}/readyz`, { ca: caData, headers: auth });
      return r.status === 200 && r.body.trim() === 'ok';
    },
    { timeoutMs: 120_000, procs: [etcd, apiserver] },
  );

  const kubeconfig = writeKubeconfig(join(dir, 'admin.kubeconfig'), { server, caData, token, user: 'admin' });
  const controllerManager = startProcess(
    'kube-controller-manager',
    bins.kubeControllerManager,
    [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${cmPort}`,
      `--cert-dir=${join(dir, 'cm-certs')}`,
      `--service-account-private-key-file=${pki.saKey}`,
      `--root-ca-file=${pki.caCert}`,
      `--cluster-signing-cert-file=${pki.caCert}`,
      `--cluster-signing-key-file=${pki.caKey}`,
      '--controllers=*',
      // its default (/usr/libexec/kubernetes/...) would be created on the machine
      `--flex-volume-plugin-dir=${join(dir, 'cm-volume-plugins')}`,
    ],
    { ports: [cmPort!] },
  );
  ctx.track(controllerManager);
  const scheduler = startProcess(
    'kube-scheduler',
    bins.kubeScheduler,
    [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${schedPort}`,
      `--cert-dir=${join(dir, 'scheduler-certs')}`,
    ],
    { ports: [schedPort!] },
  );
  ctx.track(scheduler);
  const kwok = startProcess(
    'kwok',
    bins.kwok,
    [
      `--kubeconfig=${kubeconfig}`,
      ...readdirSync(bins.kwokStages).map((f) => `--config=${join(bins.kwokStages, f)}`),
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--manage-nodes-with-label-selector=',
      '--disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom',
      '--disregard-status-with-label-selector=',
      '--cidr=10.244.0.0/16',
      '--node-ip=10.0.0.1',
      '--node-lease-duration-seconds=40',
      `--server-address=127.0.0.1:${kwokPort}`,
    ],
    { ports: [kwokPort!] },
  );
  ctx.track(kwok);
  const all = [etcd, apiserver, controllerManager, scheduler, kwok];

  for (const [name, port] of [
    ['kube-controller-manager', cmPort],
    ['kube-scheduler', schedPort],
  ] as const) {
    await waitUntil(
      `${name} /healthz`,
      async () => {
        const r = await http(`https://127.0.0.1:${port}/healthz`, {});
        return r.status === 200;
      },
      { timeoutMs: 60_000, procs: all },
    );
  }
  await applyFakeNodes(bins.kubectl, kubeconfig, join(dir, 'nodes.yaml'));
  const api = (path: string) => http(`${server}${path}`, { ca: caData, headers: auth });
  await waitUntil(
    `${FAKE_NODES.length} kwok nodes Ready`,
    async () => {
      const r = await api('/api/v1/nodes');
      const nodes = JSON.parse(r.body).items as {
        status?: { conditions?: { type: string; status: string }[] };
      }[];
      const ready = nodes.filter((n) =>
        n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return ready.length === FAKE_NODES.length;
    },
    { timeoutMs: 60_000, procs: all },
  );
  // The controller-manager is working once it has made the default ServiceAccount; pods created
  // before that are refused, so tests must not start earlier.
  await waitUntil(
    'default ServiceAccount',
    async () => {
      const r = await api('/api/v1/namespaces/default/serviceaccounts/default');
      return r.status === 200;
    },
    { timeoutMs: 60_000, procs: all },
  );

  return {
    kube: {
      server,
      caFile: pki.caCert,
      caData,
      token,
      kubeconfig,
      nodes: [...FAKE_NODES],
      version: VERSIONS.kubernetes,
    },
    tools: { kubectl: bins.kubectl, helm: bins.helm },
  };
}
