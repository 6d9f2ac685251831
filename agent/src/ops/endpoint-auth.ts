// Who may read the agent's /metrics and /status. Both carry every tenant's figures, and /status
// the outputs' last errors, which can quote other tenants' records (an OpenSearch mapping error
// names the field value). In the cluster the caller shows a bearer token (`Authorization: Bearer`:
// Prometheus' own ServiceAccount token, `bearerTokenFile` in the chart's ServiceMonitor) and the
// apiserver decides (TokenReview + SubjectAccessReview on the non-resource URL, `get /metrics` or
// `get /status`), as Kubernetes' own components and kube-rbac-proxy do. Prometheus setups already
// hold `get /metrics` (they scrape the apiserver with it); `/status` is for cluster admins.
// /healthz and /readyz stay open: the kubelet probes them without credentials, and they say only
// whether the agent works.
import type { IncomingMessage } from 'node:http';
import { accessReviewer, type ReviewApi } from './access-review.ts';

export type EndpointDecision =
  | { ok: true }
  | { ok: false; status: 401 | 403 | 503; outcome: string; message: string };

/** Decides one request to a guarded path (`/metrics`, `/status`). */
export type EndpointGuard = (req: IncomingMessage, path: string) => Promise<EndpointDecision>;

/** Prometheus scrapes every 15-60 s: one pair of reviews per scraper per minute. */
export const ENDPOINT_CACHE_MS = 60_000;

export function bearerToken(req: IncomingMessage): string | undefined {
  const a = req.headers.authorization;
  const m = a === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(a);
  return m === null ? undefined : m[1];
}

export function kubernetesEndpointGuard(
  api: ReviewApi,
  opts: { cacheMs?: number; now?: () => number } = {},
): EndpointGuard {
  const reviews = accessReviewer(api, {
    cacheMs: opts.cacheMs ?? ENDPOINT_CACHE_MS,
    now: opts.now,
    tokenHint:
      "Authorization: Bearer with a token the apiserver accepts; Prometheus sends its ServiceAccount's with bearerTokenFile",
  });
  return async (req, path) =>
    reviews.check(
      bearerToken(req),
      { nonResourceAttributes: { path, verb: 'get' } },
      `read ${path}: it needs RBAC permission to get the non-resource URL ${path} (a ClusterRole rule nonResourceURLs: ["${path}"], verbs: ["get"])`,
    );
}
