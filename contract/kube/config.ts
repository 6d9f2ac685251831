// Credentials for the apiserver without loading @kubernetes/client-node (whose generated models
// cost ~90 MB of RSS in the operator, ~40 MB in the agent): in-cluster ServiceAccount (token
// re-read as kubelet rotates it), or a kubeconfig file with a bearer token or client certificate.
// Exec and auth-provider plugins are not supported: the operator and the agent run in the
// cluster, tests and local runs use tokens. Shared by both programs (and so in contract/).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { loadYaml } from '../yaml.ts';

export interface Connection {
  server: URL;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecure: boolean;
  /** the bearer token, read fresh (token files rotate) */
  token(): string | undefined;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function fileToken(path: string): () => string | undefined {
  let cached = '';
  let at = 0;
  return () => {
    if (Date.now() - at > 60_000) {
      cached = readFileSync(path, 'utf8').trim();
      at = Date.now();
    }
    return cached;
  };
}

export function inCluster(): Connection | undefined {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) return undefined;
  return {
    server: new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`),
    ca: readFileSync(join(SA_DIR, 'ca.crt')),
    insecure: false,
    token: fileToken(join(SA_DIR, 'token')),
  };
}

interface Named<T> {
  name: string;
  [k: string]: T | string;
}
interface KubeconfigDoc {
  'current-context'?: string;
  contexts?: Named<{ cluster: string; user: string }>[];
  clusters?: Named<Record<string, string | boolean>>[];
  users?: Named<Record<string, string>>[];
}

export function fromKubeconfig(path: string): Connection {
  const doc = loadYaml(readFileSync(path, 'utf8')) as KubeconfigDoc;
  const base = dirname(path);
  const rel = (p: string) => (isAbsolute(p) ? p : join(base, p));
  const ctxName = doc['current-context'];
  const ctx = doc.contexts?.find((c) => c.name === ctxName)?.context as
    | { cluster: string; user: string }
    | undefined;
  if (!ctx) throw new Error(`${path}: no current context`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.cluster)?.cluster as
    | Record<string, string | boolean>
    | undefined;
  const user = (doc.users?.find((u) => u.name === ctx.user)?.user ?? {}) as Record<string, string>;
  if (!cluster) throw new Error(`${path}: no cluster ${ctx.cluster}`);
  if (user.exec || user['auth-provider'])
    throw new Error(
      `${path}: exec and auth-provider credentials are not supported; use a token or a client certificate`,
    );
  const data = (inline: string | undefined, file: string | undefined) =>
    inline ? Buffer.from(inline, 'base64') : file ? readFileSync(rel(file)) : undefined;
  const ca = data(
    cluster['certificate-authority-data'] as string,
    cluster['certificate-authority'] as string,
  );
  const cert = data(user['client-certificate-data'], user['client-certificate']);
  const key = data(user['client-key-data'], user['client-key']);
  const tokenFile = user.tokenFile;
  return {
    server: new URL(cluster.server as string),
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    insecure: cluster['insecure-skip-tls-verify'] === true,
    token: tokenFile ? fileToken(rel(tokenFile)) : () => user.token,
  };
}

/** --kubeconfig, else in-cluster, else $KUBECONFIG, else ~/.kube/config. */
export function loadConnection(kubeconfig?: string): Connection {
  if (kubeconfig) return fromKubeconfig(kubeconfig);
  const ic = inCluster();
  if (ic) return ic;
  return fromKubeconfig(process.env.KUBECONFIG?.split(':')[0] || join(homedir(), '.kube', 'config'));
}
