// The tap authorizer's decisions and cache, with the reviews counted (the integration test
// test/integration/tap-kube.test.ts runs the same code against the real apiserver).
import { describe, expect, test } from '@jest/globals';
import { kubernetesAuthorizer, type ReviewApi, tapResource } from './tap-auth.ts';

const target = { kind: 'LogPipeline' as const, namespace: 'shop', name: 'checkout' };

function api(allowed: (ns: string | undefined) => boolean) {
  const calls = { tr: 0, sar: 0 };
  const a: ReviewApi = {
    async tokenReview(token, audiences) {
      calls.tr++;
      // only tokens for the tap audience are asked for
      expect(audiences).toEqual(['sluice.dev/tap']);
      return token === 'good' ? { username: 'alice', groups: ['dev'] } : undefined;
    },
    async subjectAccessReview(_u, t) {
      calls.sar++;
      return { allowed: 'resourceAttributes' in t && allowed(t.resourceAttributes.namespace) };
    },
  };
  return { a, calls };
}

describe('tap authorizer', () => {
  test('no token 401, bad token 401, not allowed 403 naming the permission, allowed ok', async () => {
    const { a } = api((ns) => ns === 'shop');
    const auth = kubernetesAuthorizer(a);
    expect(await auth.check(undefined, target)).toMatchObject({ ok: false, status: 401 });
    expect(await auth.check('bad', target)).toMatchObject({
      ok: false,
      status: 401,
      outcome: 'unauthenticated',
      message: expect.stringContaining('not minted for the audience sluice.dev/tap'),
    });
    expect(await auth.check('good', { ...target, namespace: 'bank' })).toMatchObject({
      ok: false,
      status: 403,
      message: expect.stringContaining('get logpipelines/tap (sluice.dev) on checkout in namespace bank'),
    });
    expect(await auth.check('good', target)).toEqual({ ok: true, user: 'alice' });
  });

  test('decisions are cached per token and pipeline for the TTL, then asked again', async () => {
    const { a, calls } = api(() => true);
    let t = 0;
    const auth = kubernetesAuthorizer(a, { cacheMs: 10_000, now: () => t });
    await auth.check('good', target);
    await auth.check('good', target);
    expect(calls).toEqual({ tr: 1, sar: 1 });
    await auth.check('good', { ...target, name: 'other' });
    expect(calls).toEqual({ tr: 2, sar: 2 });
    t = 10_000;
    await auth.check('good', target);
    expect(calls).toEqual({ tr: 3, sar: 3 });
  });

  test('an apiserver failure is a 503 and is not cached', async () => {
    let fail = true;
    const auth = kubernetesAuthorizer({
      async tokenReview() {
        if (fail) throw new Error('connect ECONNREFUSED');
        return { username: 'alice' };
      },
      async subjectAccessReview() {
        return { allowed: true };
      },
    });
    expect(await auth.check('good', target)).toMatchObject({ ok: false, status: 503 });
    fail = false;
    expect(await auth.check('good', target)).toEqual({ ok: true, user: 'alice' });
  });

  test('the SubjectAccessReview attributes', () => {
    expect(tapResource(target)).toEqual({
      group: 'sluice.dev',
      resource: 'logpipelines',
      subresource: 'tap',
      verb: 'get',
      namespace: 'shop',
      name: 'checkout',
    });
    expect(tapResource({ kind: 'ClusterLogPipeline', name: 'all' })).toEqual({
      group: 'sluice.dev',
      resource: 'clusterlogpipelines',
      subresource: 'tap',
      verb: 'get',
      name: 'all',
    });
  });
});
