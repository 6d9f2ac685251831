// The agent's secret store: a local directory when one is configured (`sluice run --secrets-dir`,
// or SLUICE_SECRETS_DIR), otherwise the apiserver (in the cluster, or with a kubeconfig).
import { directorySecretStore } from './directory.ts';
import type { SecretStore } from './types.ts';

export {
  isSecretOption,
  refText,
  SecretError,
  type SecretOption,
  type SecretRef,
  type SecretStore,
  secretKey,
  secretRefs,
} from './types.ts';

/** Directory: the only way to see a change. Apiserver: a safety net behind the watch. */
export const DEFAULT_SECRET_REFRESH_MS = 10_000;
export const DEFAULT_KUBE_SECRET_REFRESH_MS = 300_000;

export async function makeSecretStore(opts: {
  directory?: string;
  refreshMs?: number;
}): Promise<SecretStore> {
  const dir = opts.directory ?? process.env.SLUICE_SECRETS_DIR;
  if (dir !== undefined && dir !== '')
    return directorySecretStore(dir, opts.refreshMs ?? DEFAULT_SECRET_REFRESH_MS);
  return lazyKubeStore(opts.refreshMs ?? DEFAULT_KUBE_SECRET_REFRESH_MS);
}

/** Loads the Kubernetes client only when an output actually references a Secret. */
function lazyKubeStore(refreshMs: number): SecretStore {
  let inner: Promise<SecretStore> | undefined;
  let closed = false;
  const store = () => {
    inner ??= import('./kube.ts').then((m) => m.kubeSecretStore(refreshMs));
    return inner;
  };
  return {
    get: async (ref) => (await store()).get(ref),
    onChange(refs, cb) {
      // No reference, nothing to follow (and no reason to load the client). A change can only be
      // seen after a first read, which goes through the same inner store: nothing is missed.
      if (refs.length === 0) return () => {};
      let off: (() => void) | undefined;
      let done = false;
      void store().then((s) => {
        if (!done && !closed) off = s.onChange(refs, cb);
      });
      return () => {
        done = true;
        off?.();
      };
    },
    close() {
      closed = true;
      void inner?.then((s) => s.close());
    },
  };
}

/** A store for configs without secret references: any get explains what is missing. */
export const noSecrets: SecretStore = {
  get: (ref) =>
    Promise.reject(new Error(`no secret store is configured to read Secret ${ref.namespace}/${ref.name}`)),
  onChange: () => () => {},
  close() {},
};
