// The shared review cache: bounded in entries, keyed by token and attributes (the tap and
// endpoint tests against the real apiserver: test/integration/tap-kube.test.ts,
// test/integration/agent-endpoints-kube.test.ts).
import { describe, expect, test } from '@jest/globals';
import { type AccessAttributes, accessReviewer, type ReviewApi } from './access-review.ts';

const metrics: AccessAttributes = { nonResourceAttributes: { path: '/metrics', verb: 'get' } };

describe('access reviewer', () => {
  test('holds at most maxEntries decisions: random tokens cost reviews, never unbounded memory', async () => {
    const seen: AccessAttributes[] = [];
    let reviews = 0;
    const api: ReviewApi = {
      async tokenReview(token) {
        reviews++;
        return token.startsWith('good') ? { username: token } : undefined;
      },
      async subjectAccessReview(_u, a) {
        seen.push(a);
        return { allowed: true };
      },
    };
    const r = accessReviewer(api, { cacheMs: 60_000, maxEntries: 3, now: () => 0, tokenHint: 'x' });
    await r.check('good-0', metrics, 'read /metrics');
    for (let i = 0; i < 10; i++)
      expect(await r.check(`bad-${i}`, metrics, 'x')).toMatchObject({ status: 401 });
    expect(reviews).toBe(11);
    // good-0 was pushed out by the newer entries: asked again.
    expect(await r.check('good-0', metrics, 'read /metrics')).toEqual({ ok: true, user: 'good-0' });
    expect(reviews).toBe(12);
    // the attributes reach the SubjectAccessReview as given
    expect(seen).toEqual([metrics, metrics]);
  });

  test('a refusal names the user and the permission', async () => {
    const r = accessReviewer(
      {
        tokenReview: async () => ({ username: 'alice' }),
        subjectAccessReview: async () => ({ allowed: false, reason: 'no RBAC policy matched' }),
      },
      { cacheMs: 1000, tokenHint: 'x' },
    );
    expect(await r.check('t', metrics, 'read /metrics')).toEqual({
      ok: false,
      status: 403,
      outcome: 'forbidden',
      message: 'alice may not read /metrics (no RBAC policy matched)',
    });
  });
});
