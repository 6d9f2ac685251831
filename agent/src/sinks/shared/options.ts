// Option schema pieces shared by the kafka, opensearch and s3 sinks (mirroring the API's tls and
// secretKeyRef blocks, with secrets as compiled references), and their resolution at connect time.
import type { ConnectionOptions } from 'node:tls';
import type { SecretOption, SecretStore } from '../../secrets/types.ts';

const ident = (description: string) =>
  ({ type: 'string', minLength: 1, maxLength: 253, description }) as const;

export const secretOptionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['secret'],
  description: 'A Secret key, resolved by the agent at run time (never a value in the config).',
  properties: {
    secret: {
      type: 'object',
      additionalProperties: false,
      required: ['namespace', 'name', 'key'],
      properties: { namespace: ident('Namespace.'), name: ident('Secret name.'), key: ident('Key.') },
    },
  },
} as const;

export const tlsOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'TLS; implied when any field but enabled is set.',
  properties: {
    enabled: { type: 'boolean' },
    ca: secretOptionSchema,
    cert: secretOptionSchema,
    key: secretOptionSchema,
    serverName: { type: 'string', minLength: 1, description: 'Name to verify instead of the host.' },
    insecureSkipVerify: { type: 'boolean', description: 'Do not verify the server certificate.' },
  },
} as const;

/** Batch limits the API allows per destination; the compiler moves them to the output's `batch`. */
export interface TlsOptions {
  enabled?: boolean;
  ca?: SecretOption;
  cert?: SecretOption;
  key?: SecretOption;
  serverName?: string;
  insecureSkipVerify?: boolean;
}

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
