// Who may tap which pipeline, in the cluster: the kubelet / kube-rbac-proxy pattern. The caller's
// bearer token goes through a TokenReview (who is it?), then a SubjectAccessReview asks whether
// that user may `get` the virtual subresource `logpipelines/tap` in the pipeline's namespace
// (`clusterlogpipelines/tap` for a ClusterLogPipeline). Decisions are cached for a few seconds,
// keyed by a hash of the token, so a reconnecting CLI does not cost the apiserver two reviews.
import { createHash } from 'node:crypto';

export interface TapTarget {
  kind: 'LogPipeline' | 'ClusterLogPipeline';
  name: string;
  namespace?: string;
}

export type TapDecision =
  | { ok: true; user: string }
  | { ok: false; status: 401 | 403 | 503; outcome: string; message: string };

export interface TapAuthorizer {
  check(token: string | undefined, target: TapTarget): Promise<TapDecision>;
}

/** `sluice run`: the endpoint listens on 127.0.0.1 of the user's own machine only. */
export const allowLocal: TapAuthorizer = {
  check: async () => ({ ok: true, user: 'local' }),
};

export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** The two reviews, injectable for tests. */
export interface ReviewApi {
  /** undefined: the token is not valid. */
  tokenReview(token: string): Promise<UserInfo | undefined>;
  subjectAccessReview(user: UserInfo, target: TapTarget): Promise<{ allowed: boolean; reason?: string }>;
}

export const TAP_CACHE_MS = 10_000;

export function tapResource(t: TapTarget) {
  return {
    group: 'sluice.dev',
    resource: t.kind === 'LogPipeline' ? 'logpipelines' : 'clusterlogpipelines',
    subresource: 'tap',
    verb: 'get',
    ...(t.kind === 'LogPipeline' ? { namespace: t.namespace } : {}),
    name: t.name,
  };
}

const describe = (t: TapTarget) =>
  t.kind === 'LogPipeline'
    ? `get logpipelines/tap (sluice.dev) on ${t.name} in namespace ${t.namespace}`
    : `get clusterlogpipelines/tap (sluice.dev) on ${t.name}`;

export function kubernetesAuthorizer(
  api: ReviewApi,
  opts: { cacheMs?: number; now?: () => number } = {},
): TapAuthorizer {
  const ttl = opts.cacheMs ?? TAP_CACHE_MS;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; d: TapDecision }>();
  const sweep = () => {
    const t = now();
    for (const [k, v] of cache) if (t - v.at >= ttl) cache.delete(k);
  };
  return {
    async check(token, target) {
      if (token === undefined || token === '')
        return {
          ok: false,
          status: 401,
          outcome: 'unauthenticated',
          message:
            'a bearer token is required (Authorization: Bearer, or X-Sluice-Tap-Token through the apiserver proxy); `sluice tap` sends the token of your kubeconfig',
        };
      const key = `${createHash('sha256').update(token).digest('base64')}\n${JSON.stringify(tapResource(target))}`;
      sweep();
      const hit = cache.get(key);
      if (hit !== undefined) return hit.d;
      let d: TapDecision;
      try {
        const user = await api.tokenReview(token);
        if (user === undefined)
          d = {
            ok: false,
            status: 401,
            outcome: 'unauthenticated',
            message: 'the token was not accepted by the apiserver (TokenReview): expired or invalid',
          };
        else {
          const r = await api.subjectAccessReview(user, target);
          d = r.allowed
            ? { ok: true, user: user.username }
            : {
                ok: false,
                status: 403,
                outcome: 'forbidden',
                message: `${user.username} may not tap this pipeline: it needs RBAC permission to ${describe(target)}${r.reason ? ` (${r.reason})` : ''}`,
              };
        }
      } catch (e) {
        // Not cached: the next request asks again.
        return {
          ok: false,
          status: 503,
          outcome: 'error',
          message: `the agent cannot verify the caller with the apiserver: ${(e as Error).message}`,
        };
      }
      cache.set(key, { at: now(), d });
      return d;
    },
  };
}

/** The reviews through the small client of contract/kube/, under the agent's ServiceAccount (or KUBECONFIG). */
export async function kubeReviewApi(): Promise<ReviewApi> {
  const [{ KubeClient }, { loadConnection }] = await Promise.all([
    import('../../../contract/kube/client.ts'),
    import('../../../contract/kube/config.ts'),
  ]);
  const api = new KubeClient(loadConnection());
  return {
    async tokenReview(token) {
      const r = await api.request<{
        status?: {
          authenticated?: boolean;
          user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
        };
      }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
      });
      const u = r.status?.user;
      if (r.status?.authenticated !== true || u?.username === undefined) return undefined;
      return { username: u.username, uid: u.uid, groups: u.groups, extra: u.extra };
    },
    async subjectAccessReview(user, target) {
      const r = await api.request<{ status?: { allowed?: boolean; reason?: string } }>(
        'POST',
        '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: {
              user: user.username,
              uid: user.uid,
              groups: user.groups,
              extra: user.extra,
              resourceAttributes: tapResource(target),
            },
          },
        },
      );
      return { allowed: r.status?.allowed === true, reason: r.status?.reason || undefined };
    },
  };
}
