// How each Go program of the environment is built: the module, the packages, and the version
// ldflags (without them Kubernetes binaries say v0.0.0-master, which breaks version checks).
import { VERSIONS } from '../versions.ts';
import type { GoProgram } from './go.ts';

const k8s = VERSIONS.kubernetes;
const [, k8sMinor, k8sPatch] = k8s.slice(1).split('.');
const ver = (pkg: string) => [
  `-X ${pkg}.gitVersion=${k8s}`,
  `-X ${pkg}.gitMajor=1`,
  `-X ${pkg}.gitMinor=${k8sMinor}`,
  `-X ${pkg}.gitTreeState=clean`,
];

// The kubelet is built with the control plane (one `go build`, one cache entry): it shares most of
// their packages, and two builds of one module in parallel would fight over the build cache. The
// cache name says so, so a cache holding the control plane without the kubelet is not reused.
export const kubernetes: GoProgram = {
  name: 'kubernetes-with-kubelet',
  version: k8s,
  module: `k8s.io/kubernetes@${k8s}`,
  packages: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kubelet'].map(
    (c) => `k8s.io/kubernetes/cmd/${c}`,
  ),
  ldflags: [...ver('k8s.io/component-base/version'), ...ver('k8s.io/client-go/pkg/version')],
  // Every staging module k8s.io/kubernetes replaces with ./staging/src/k8s.io/X is published as
  // k8s.io/X v0.<minor>.<patch>.
  replaces: (goMod) => {
    const block = /^replace \(\n([\s\S]*?)^\)/m.exec(goMod)?.[1] ?? '';
    const mods = [...block.matchAll(/^\s*(k8s\.io\/\S+)\s+=>\s+\.\/staging\//gm)].map((m) => m[1]!);
    return Object.fromEntries(mods.map((m) => [m, `${m}@v0.${k8sMinor}.${k8sPatch}`]));
  },
};

export const etcd: GoProgram = {
  name: 'etcd',
  version: VERSIONS.etcd,
  module: `go.etcd.io/etcd/server/v3@${VERSIONS.etcd}`,
  packages: ['go.etcd.io/etcd/server/v3'],
  binary: 'etcd',
};

export const kwok: GoProgram = {
  name: 'kwok',
  version: VERSIONS.kwok,
  module: `sigs.k8s.io/kwok@${VERSIONS.kwok}`,
  packages: ['sigs.k8s.io/kwok/cmd/kwok'],
  ldflags: [`-X sigs.k8s.io/kwok/pkg/consts.Version=${VERSIONS.kwok.slice(1)}`],
};

// Built as helm's Makefile builds its releases: besides the version, the Kubernetes version that
// `helm template` assumes without a cluster comes from the client-go it is built with (v0.X.Y →
// 1.X). Without it helm says v1.20.0 and refuses charts that require a current Kubernetes, which
// a released helm does not (the cache name says so, so an older build is not reused).
export const helm: GoProgram = {
  name: 'helm-release',
  version: VERSIONS.helm,
  module: `helm.sh/helm/v3@${VERSIONS.helm}`,
  packages: ['helm.sh/helm/v3/cmd/helm'],
  ldflags: [`-X helm.sh/helm/v3/internal/version.version=${VERSIONS.helm}`],
  ldflagsFromGoMod: (goMod) => {
    const minor = /^\s*k8s\.io\/client-go v0\.(\d+)\./m.exec(goMod)?.[1];
    if (minor === undefined) throw new Error('helm go.mod: no k8s.io/client-go requirement');
    return ['chartutil', 'lint/rules'].flatMap((pkg) => [
      `-X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMajor=1`,
      `-X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMinor=${minor}`,
    ]);
  },
};

export const minio: GoProgram = {
  name: 'minio',
  version: VERSIONS.minio,
  module: `github.com/minio/minio@${VERSIONS.minio}`,
  packages: ['github.com/minio/minio'],
};
