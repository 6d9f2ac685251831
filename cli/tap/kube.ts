// Reaching the agents of a cluster: list the agent pods and open each one's /tap through the
// apiserver's `pods/proxy` subresource, with the user's own kubeconfig credentials.
//
// The apiserver authenticates the proxy request and then strips the Authorization header before
// forwarding (verified against kube-apiserver 1.34: test/integration/tap-kube.test.ts), so the pod
// never learns who is calling. The CLI therefore sends the tap credential (credential.ts: a
// 10-minute ServiceAccount token for the tap audience, never the kubeconfig's own) in the
// X-Sluice-Tap-Token header, which the proxy forwards; the agent reviews it (TokenReview for that
// audience + SubjectAccessReview). pods/proxy access alone thus lets nobody tap.
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { TapSource } from './stream.ts';

export const AGENT_SELECTOR = 'app.kubernetes.io/name=sluice,app.kubernetes.io/component=agent';

export type Discovery = { ok: true; sources: TapSource[]; pods: number } | { ok: false; message: string };

export async function loadKubeConfig(context?: string): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromDefault();
  if (context !== undefined) kc.setCurrentContext(context);
  return kc;
}

/** Does the pipeline exist? undefined when the user may not read it (the agent decides then). */
export async function pipelineExists(
  kc: KubeConfig,
  target: { kind: string; namespace?: string; name: string },
): Promise<boolean | undefined> {
  const { CustomObjectsApi } = await import('@kubernetes/client-node');
  const api = kc.makeApiClient(CustomObjectsApi);
  const base = { group: 'sluice.dev', version: 'v1alpha1', name: target.name };
  try {
    if (target.kind === 'LogPipeline')
      await api.getNamespacedCustomObject({ ...base, namespace: target.namespace!, plural: 'logpipelines' });
    else await api.getClusterCustomObject({ ...base, plural: 'clusterlogpipelines' });
    return true;
  } catch (e) {
    // A 404 naming the object; not one for a CRD that is not installed (then the agents answer).
    const { code, body } = e as { code?: number; body?: unknown };
    let named = false;
    try {
      const b = (typeof body === 'string' ? JSON.parse(body) : body) as { details?: { name?: string } };
      named = b?.details?.name === target.name;
    } catch {
      // not a Status
    }
    return code === 404 && named ? false : undefined;
  }
}

export async function discoverAgents(
  kc: KubeConfig,
  opts: { namespace: string; selector: string; port?: number; token: string; query: string },
): Promise<Discovery> {
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const core = kc.makeApiClient(CoreV1Api);
  let pods: Awaited<ReturnType<typeof core.listNamespacedPod>>['items'];
  try {
    pods = (await core.listNamespacedPod({ namespace: opts.namespace, labelSelector: opts.selector })).items;
  } catch (e) {
    const code = (e as { code?: number }).code;
    return {
      ok: false,
      message:
        code === 403
          ? `you may not list the agent pods in namespace ${opts.namespace}: tapping needs 'list pods' and 'get pods/proxy' there (the chart grants them to the groups in its value rbac.tapProxyGroups, empty by default; see docs/guides/tap.md)`
          : `cannot list the agent pods in namespace ${opts.namespace}: ${(e as Error).message}`,
    };
  }
  const running = pods.filter((p) => p.status?.phase === 'Running' && p.status.podIP);
  if (running.length === 0)
    return {
      ok: false,
      message: `no running agent pods in namespace ${opts.namespace} (selector ${opts.selector}); is Sluice installed there? (--agent-namespace)`,
    };
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) return { ok: false, message: 'the kubeconfig has no current cluster' };
  const base: RequestOptions & { headers: Record<string, string> } = { headers: {} };
  await kc.applyToHTTPSOptions(base);
  const token = opts.token;
  const sources = running.map((p): TapSource => {
    // The agent's own tap port (the DaemonSet's NetworkPolicy admits the proxy there); agents
    // that serve /tap beside /metrics name only the metrics port.
    const ports = p.spec?.containers.flatMap((c) => c.ports ?? []) ?? [];
    const named = (n: string) => ports.find((x) => x.name === n)?.containerPort;
    const port = opts.port ?? named('tap') ?? named('metrics') ?? 2020;
    const name = p.metadata!.name!;
    return {
      label: p.spec?.nodeName ?? name,
      url: `${server}/api/v1/namespaces/${encodeURIComponent(opts.namespace)}/pods/${encodeURIComponent(name)}:${port}/proxy/tap?${opts.query}`,
      options: { ...base, headers: { ...base.headers, 'X-Sluice-Tap-Token': token } },
    };
  });
  return { ok: true, sources, pods: running.length };
}
