// Who may tap which pipeline, in the cluster: the caller's bearer token goes through a TokenReview
// that accepts only tokens minted for the tap audience (TAP_AUDIENCE: `sluice tap` mints one with
// a TokenRequest; a kubeconfig's own token, valid for the apiserver, is refused, so nobody needs to
// hand an agent a credential the apiserver takes), then a SubjectAccessReview asks whether that user may `get` the virtual subresource
// `logpipelines/tap` in the pipeline's namespace (`clusterlogpipelines/tap` for a
// ClusterLogPipeline), through the cached reviews of access-review.ts. Decisions are cached for a
// few seconds, so a reconnecting CLI does not cost the apiserver two reviews.
import { TAP_AUDIENCE } from '../../../contract/tap.ts';
import { accessReviewer, type ReviewApi } from './access-review.ts';

export { kubeReviewApi, type ReviewApi, type UserInfo } from './access-review.ts';

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
  const reviews = accessReviewer(api, {
    cacheMs: opts.cacheMs ?? TAP_CACHE_MS,
    now: opts.now,
    tokenHint: `Authorization: Bearer, or X-Sluice-Tap-Token through the apiserver proxy: a ServiceAccount token for the audience ${TAP_AUDIENCE}, which \`sluice tap\` mints`,
    audiences: [TAP_AUDIENCE],
    invalidHint: `expired, invalid, or not minted for the audience ${TAP_AUDIENCE} (a kubeconfig's own token is refused: mint one with \`kubectl create token SERVICEACCOUNT --audience ${TAP_AUDIENCE} --duration 10m\`, as \`sluice tap\` does)`,
  });
  return {
    check: (token, target) =>
      reviews.check(
        token,
        { resourceAttributes: tapResource(target) },
        `tap this pipeline: it needs RBAC permission to ${describe(target)}`,
      ),
  };
}
