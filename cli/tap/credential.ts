// The credential `sluice tap` shows the agents: never the kubeconfig's own (the agents' port is
// reached by anything that can take over an agent pod, and a kubeconfig token opens the apiserver
// for its whole lifetime). Instead a ServiceAccount token minted for the tap audience alone
// (TokenRequest: `kubectl create token NAME --audience sluice.dev/tap --duration 10m`), which the
// apiserver refuses and which expires in 10 minutes. Whose: the kubeconfig user's own
// ServiceAccount (SelfSubjectReview says who that is), or the one named with --service-account,
// e.g. a `tapper` of the pipeline's namespace bound to `edit`. Minting needs `create
// serviceaccounts/token` on it, which namespace `edit` and `admin` hold; the apiserver's audit log
// records who minted it.
import type { KubeConfig } from '@kubernetes/client-node';
import { TAP_AUDIENCE, TAP_TOKEN_SECONDS } from '../../contract/tap.ts';

export type TapCredential = { ok: true; token: string; identity: string } | { ok: false; message: string };

const SA_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** `NAME` (in `namespace`) or `NS/NAME`. */
export function parseServiceAccount(
  arg: string,
  namespace: string | undefined,
): { namespace: string; name: string } | string {
  const parts = arg.split('/');
  const ident = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
  if (parts.length === 2 && parts.every((p) => ident.test(p))) return { namespace: parts[0], name: parts[1] };
  if (parts.length === 1 && ident.test(arg)) {
    if (namespace === undefined) return `--service-account ${arg} needs its namespace here: NAMESPACE/${arg}`;
    return { namespace, name: arg };
  }
  return `--service-account takes NAME or NAMESPACE/NAME, got '${arg}'`;
}

async function whoAmI(kc: KubeConfig): Promise<string | undefined> {
  const { AuthenticationV1Api } = await import('@kubernetes/client-node');
  try {
    const r = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    return r.status?.userInfo?.username;
  } catch {
    return undefined;
  }
}

export async function tapCredential(
  kc: KubeConfig,
  opts: { serviceAccount?: { namespace: string; name: string }; namespace?: string },
): Promise<TapCredential> {
  let sa = opts.serviceAccount;
  if (sa === undefined) {
    const user = await whoAmI(kc);
    const m = user === undefined ? null : SA_USER.exec(user);
    if (m === null) {
      const where = opts.namespace ?? 'NAMESPACE';
      return {
        ok: false,
        message: `your kubeconfig user${user === undefined ? '' : ` (${user})`} is not a ServiceAccount, and sluice tap never shows your own credential to the agents: pass --service-account NAME, a ServiceAccount of namespace ${where} that may tap (e.g. bound to edit there), and the CLI mints a 10-minute token of it for the audience ${TAP_AUDIENCE} (needs create serviceaccounts/token, which namespace edit holds); see docs/guides/tap.md`,
      };
    }
    sa = { namespace: m[1], name: m[2] };
  }
  const { CoreV1Api } = await import('@kubernetes/client-node');
  try {
    const r = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
      namespace: sa.namespace,
      name: sa.name,
      body: { spec: { audiences: [TAP_AUDIENCE], expirationSeconds: TAP_TOKEN_SECONDS } },
    });
    const token = r.status?.token;
    if (!token) return { ok: false, message: 'the apiserver returned no token (TokenRequest)' };
    return { ok: true, token, identity: `system:serviceaccount:${sa.namespace}:${sa.name}` };
  } catch (e) {
    const code = (e as { code?: number }).code;
    const who = `ServiceAccount ${sa.namespace}/${sa.name}`;
    return {
      ok: false,
      message:
        code === 403
          ? `you may not mint a token of ${who} for the tap (it needs create serviceaccounts/token on it, which namespace edit holds); name another with --service-account`
          : code === 404
            ? `${who} does not exist: name one that may tap with --service-account`
            : `cannot mint a token of ${who}: ${(e as Error).message}`,
    };
  }
}
