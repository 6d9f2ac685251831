// TLS of the kafka, opensearch and s3 sinks at connect time: whether it is on, and the Node TLS
// options with the PEM material read from the referenced Secrets.
import type { ConnectionOptions } from 'node:tls';
import type { TlsOptions } from '../../../../contract/agent-config/types.ts';
import type { SecretStore } from '../../secrets/types.ts';

export const tlsWanted = (t: TlsOptions | undefined): boolean =>
  t !== undefined &&
  (t.enabled === true ||
    t.ca !== undefined ||
    t.cert !== undefined ||
    t.serverName !== undefined ||
    t.insecureSkipVerify === true);

/** Node TLS options with the PEM material read from the Secrets; undefined when TLS is off. */
export async function resolveTls(
  t: TlsOptions | undefined,
  secrets: Pick<SecretStore, 'get'>,
): Promise<ConnectionOptions | undefined> {
  if (t === undefined || !tlsWanted(t)) return undefined;
  const o: ConnectionOptions = { rejectUnauthorized: t.insecureSkipVerify !== true };
  if (t.ca !== undefined) o.ca = await secrets.get(t.ca.secret);
  if (t.cert !== undefined) o.cert = await secrets.get(t.cert.secret);
  if (t.key !== undefined) o.key = await secrets.get(t.key.secret);
  if (t.serverName !== undefined) o.servername = t.serverName;
  return o;
}
