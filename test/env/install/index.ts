// Installs what a component needs, each piece once per cache (see once.ts), pieces in parallel.
import { join } from 'node:path';
import { VERSIONS } from '../versions.ts';
import { type GoProgram, goBuild } from './go.ts';
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
  etcd: string;
  kwok: string;
  helm: string;
  minio: string;
  kafkaLibs: string;
  opensearchHome: string;
}

export const install = {
  async kubernetes(say: Say) {
    const dir = await go(programs.kubernetes, say);
    return {
      kubeApiserver: join(dir, 'kube-apiserver'),
      kubeControllerManager: join(dir, 'kube-controller-manager'),
      kubeScheduler: join(dir, 'kube-scheduler'),
      kubectl: join(dir, 'kubectl'),
    };
  },
  etcd: async (say: Say) => ({ etcd: join(await go(programs.etcd, say), 'etcd') }),
  kwok: async (say: Say) => ({ kwok: join(await go(programs.kwok, say), 'kwok') }),
  helm: async (say: Say) => ({ helm: join(await go(programs.helm, say), 'helm') }),
  minio: async (say: Say) => ({ minio: join(await go(programs.minio, say), 'minio') }),
  async kafka(say: Say) {
    const dir = await installOnce('kafka', VERSIONS.kafka, installKafka, say);
    return { kafkaLibs: join(dir, 'libs') };
  },
  async opensearch(say: Say) {
    return { opensearchHome: await installOnce('opensearch', VERSIONS.opensearch, installOpenSearch, say) };
  },
} as const;

export type Piece = keyof typeof install;
