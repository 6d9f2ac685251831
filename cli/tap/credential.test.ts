// --service-account forms (minting itself is tested against the real apiserver in
// test/integration/tap-kube.test.ts).
import { describe, expect, test } from '@jest/globals';
import { parseServiceAccount } from './credential.ts';

describe('--service-account', () => {
  test('NAME is in the pipeline namespace, NS/NAME anywhere; a cluster pipeline needs NS/NAME', () => {
    expect(parseServiceAccount('tapper', 'shop')).toEqual({ namespace: 'shop', name: 'tapper' });
    expect(parseServiceAccount('ops/tapper', 'shop')).toEqual({ namespace: 'ops', name: 'tapper' });
    expect(parseServiceAccount('tapper', undefined)).toBe(
      '--service-account tapper needs its namespace here: NAMESPACE/tapper',
    );
    expect(parseServiceAccount('a/b/c', 'shop')).toBe(
      "--service-account takes NAME or NAMESPACE/NAME, got 'a/b/c'",
    );
    expect(parseServiceAccount('Tapper', 'shop')).toBe(
      "--service-account takes NAME or NAMESPACE/NAME, got 'Tapper'",
    );
  });
});
