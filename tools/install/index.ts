// The project's pinned tools and servers (tools/versions.ts), built or downloaded into the cache
// (tools/cache.ts) by the project itself: the test environment (test/env) and `npm run generate`
// (helm) use them. Each piece installs once per cache (see once.ts), pieces in parallel.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { VERSIONS } from '../versions.ts';
import { type GoProgram, goBuild, goEnv } from './go.ts';
import { installKafka, installOpenSearch } from './java.ts';
import { installOnce } from './once.ts';
import * as programs from './programs.ts';

export type Say = (msg: string) => void;

const go = (p: GoProgram, say: Say) => installOnce(p.name, p.version, (out) => goBuild(p, out), say);

/** Absolute paths of every installed binary/home, by name. */
export interface Installed {
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  kubelet: string;
  etcd: string;
  kwok: string;
  /** directory of kwok Stage YAML files */
  kwokStages: string;
  helm: string;
  minio: string;
  kafkaLibs: string;
  opensearchHome: string;
}

// kwok does nothing without Stage definitions; these are the ones kwokctl uses by default (nodes
// initialize at once and heartbeat with leases, pods turn Ready, complete and delete at once),
// taken from the same module version so they match the binary.
const KWOK_STAGES = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
];

function copyKwokStages(out: string): void {
  const src = join(goEnv().GOMODCACHE!, `sigs.k8s.io/kwok@${VERSIONS.kwok}`, 'kustomize', 'stage');
  mkdirSync(join(out, 'stages'), { recursive: true });
  for (const f of KWOK_STAGES) cpSync(join(src, f), join(out, 'stages', f.split('/').pop()!));
}

export const install = {
  async kubernetes(say: Say) {
    const dir = await go(programs.kubernetes, say);
    return {
      kubeApiserver: join(dir, 'kube-apiserver'),
      kubeControllerManager: join(dir, 'kube-controller-manager'),
      kubeScheduler: join(dir, 'kube-scheduler'),
      kubectl: join(dir, 'kubectl'),
      kubelet: join(dir, 'kubelet'),
    };
  },
  etcd: async (say: Say) => ({ etcd: join(await go(programs.etcd, say), 'etcd') }),
  async kwok(say: Say) {
    const dir = await installOnce(
      programs.kwok.name,
      programs.kwok.version,
      async (out) => {
        await goBuild(programs.kwok, out);
        copyKwokStages(out);
      },
      say,
    );
    return { kwok: join(dir, 'kwok'), kwokStages: join(dir, 'stages') };
  },
  helm: async (say: Say) => ({ helm: join(await go(programs.helm, say), 'helm') }),
  minio: async (say: Say) => ({ minio: join(await go(programs.minio, say), 'minio') }),
  /** Kafka `version` (VERSIONS.kafka or VERSIONS.kafka4), cached per version like any other piece. */
  async kafka(say: Say, version: string = VERSIONS.kafka) {
    const dir = await installOnce('kafka', version, (out) => installKafka(version, out), say);
    return { kafkaLibs: join(dir, 'libs') };
  },
  async opensearch(say: Say) {
    return { opensearchHome: await installOnce('opensearch', VERSIONS.opensearch, installOpenSearch, say) };
  },
} as const;

export type Piece = keyof typeof install;
