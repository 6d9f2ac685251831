// Option schema pieces shared by the kafka, opensearch and s3 outputs: a Secret reference as the
// compiler writes it (never a value), and TLS. They mirror the API's secretKeyRef and tls blocks;
// their types (SecretOption, TlsOptions) are generated.
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
