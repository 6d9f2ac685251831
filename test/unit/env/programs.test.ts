import { describe, expect, test } from '@jest/globals';
import { kubernetes } from '../../../tools/install/programs.ts';

describe('kubernetes build recipe', () => {
  test('replaces every staging module with its published v0.<minor>.<patch> and nothing else', () => {
    const goMod = [
      'module k8s.io/kubernetes',
      '',
      'require (',
      '\tk8s.io/api v0.0.0',
      ')',
      '',
      'replace (',
      '\tk8s.io/api => ./staging/src/k8s.io/api',
      '\tk8s.io/client-go => ./staging/src/k8s.io/client-go',
      '\tgithub.com/some/fork => github.com/other/fork v1.2.3',
      ')',
      '',
    ].join('\n');
    const minorPatch = kubernetes.version.replace(/^v1\./, 'v0.');
    expect(kubernetes.replaces?.(goMod)).toEqual({
      'k8s.io/api': `k8s.io/api@${minorPatch}`,
      'k8s.io/client-go': `k8s.io/client-go@${minorPatch}`,
    });
  });

  test('stamps the version into the binaries', () => {
    expect(kubernetes.ldflags).toContain(`-X k8s.io/component-base/version.gitVersion=${kubernetes.version}`);
  });
});
