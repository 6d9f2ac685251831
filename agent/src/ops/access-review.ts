// Is this caller allowed to do that, asked of the apiserver: the kubelet / kube-rbac-proxy pattern.
// The caller's bearer token goes through a TokenReview (who is it?), then a SubjectAccessReview asks
// whether that user may do what the request is (a resource verb, e.g. `get logpipelines/tap`, or a
// non-resource URL, e.g. `get /metrics`). Decisions are cached for a while, keyed by a hash of the
// token and the attributes, so a reconnecting CLI or a scraping Prometheus does not cost the
// apiserver two reviews per request. The cache holds at most `maxEntries` (oldest out first): a
// caller sending random tokens costs reviews, never unbounded memory. Used by /tap (tap-auth.ts)
// and by /metrics and /status (endpoint-auth.ts).
import { createHash } from 'node:crypto';

export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export type AccessAttributes =
  | {
      resourceAttributes: {
        group: string;
        resource: string;
        subresource?: string;
        verb: string;
        namespace?: string;
        name?: string;
      };
    }
  | { nonResourceAttributes: { path: string; verb: string } };

/** The two reviews, injectable for tests. */
export interface ReviewApi {
  /**
   * undefined: the token is not valid (for one of `audiences`, when given: a token minted for
   * another audience, the apiserver's included, is not).
   */
  tokenReview(token: string, audiences?: string[]): Promise<UserInfo | undefined>;
  subjectAccessReview(
    user: UserInfo,
    attributes: AccessAttributes,
  ): Promise<{ allowed: boolean; reason?: string }>;
}

export type AccessDecision =
  | { ok: true; user: string }
  | { ok: false; status: 401 | 403 | 503; outcome: string; message: string };

export interface AccessCheck {
  /** `what` words the permission for a 403, e.g. "get the non-resource URL /metrics". */
  check(token: string | undefined, attributes: AccessAttributes, what: string): Promise<AccessDecision>;
}

export function accessReviewer(
  api: ReviewApi,
  opts: {
    cacheMs: number;
    maxEntries?: number;
    now?: () => number;
    /** How to send a token, for the 401 without one. */
    tokenHint: string;
    /** Accept only tokens minted for one of these audiences (default: the apiserver's own). */
    audiences?: string[];
    /** Why a token was refused, for the 401 (e.g. how to mint one for the audience). */
    invalidHint?: string;
  },
): AccessCheck {
  const now = opts.now ?? Date.now;
  const max = opts.maxEntries ?? 1000;
  const cache = new Map<string, { at: number; d: AccessDecision }>();
  const sweep = () => {
    const t = now();
    for (const [k, v] of cache) if (t - v.at >= opts.cacheMs) cache.delete(k);
  };
  return {
    async check(token, attributes, what) {
      if (token === undefined || token === '')
        return {
          ok: false,
          status: 401,
          outcome: 'unauthenticated',
          message: `a bearer token is required (${opts.tokenHint})`,
        };
      const key = `${createHash('sha256').update(token).digest('base64')}\n${JSON.stringify(attributes)}`;
      sweep();
      const hit = cache.get(key);
      if (hit !== undefined) return hit.d;
      let d: AccessDecision;
      try {
        const user = await api.tokenReview(token, opts.audiences);
        if (user === undefined)
          d = {
            ok: false,
            status: 401,
            outcome: 'unauthenticated',
            message: `the token was not accepted by the apiserver (TokenReview): ${opts.invalidHint ?? 'expired or invalid'}`,
          };
        else {
          const r = await api.subjectAccessReview(user, attributes);
          d = r.allowed
            ? { ok: true, user: user.username }
            : {
                ok: false,
                status: 403,
                outcome: 'forbidden',
                message: `${user.username} may not ${what}${r.reason ? ` (${r.reason})` : ''}`,
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
      while (cache.size > max) cache.delete(cache.keys().next().value as string);
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
    async tokenReview(token, audiences) {
      const r = await api.request<{
        status?: {
          authenticated?: boolean;
          audiences?: string[];
          user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
        };
      }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec: { token, ...(audiences === undefined ? {} : { audiences }) },
        },
      });
      const u = r.status?.user;
      if (r.status?.authenticated !== true || u?.username === undefined) return undefined;
      // The apiserver answers with the audiences the token is valid for, among those asked.
      if (audiences !== undefined && !r.status.audiences?.some((a) => audiences.includes(a)))
        return undefined;
      return { username: u.username, uid: u.uid, groups: u.groups, extra: u.extra };
    },
    async subjectAccessReview(user, attributes) {
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
              ...attributes,
            },
          },
        },
      );
      return { allowed: r.status?.allowed === true, reason: r.status?.reason || undefined };
    },
  };
}
