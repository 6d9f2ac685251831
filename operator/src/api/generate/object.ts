// The full object schema of a kind (apiVersion, kind, metadata, spec, status), shared by the
// CRD, validator and type generators so they agree on the envelope.
import { API_VERSION } from '../common.ts';
import type { Schema } from '../dsl.ts';
import type { KindDef } from '../kinds.ts';

export function objectSchema(k: KindDef, opts: { forCrd: boolean }): Schema {
  const metadata: Schema = opts.forCrd
    ? // The apiserver owns metadata's schema: a CRD may say nothing about it beyond its type.
      ({ type: 'object' } as Schema)
    : {
        type: 'object',
        description: 'Standard object metadata.',
        properties: {
          name: {
            type: 'string',
            description: 'Name.',
            minLength: 1,
            maxLength: 253,
            pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
          },
          namespace: {
            type: 'string',
            description: 'Namespace.',
            minLength: 1,
            maxLength: 63,
            pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
          },
        },
        required: ['name'],
        'x-kubernetes-preserve-unknown-fields': true,
      };
  return {
    type: 'object',
    description: k.description,
    properties: {
      apiVersion: {
        type: 'string',
        description: `Always ${API_VERSION}.`,
        ...(opts.forCrd ? {} : { enum: [API_VERSION] }),
      },
      kind: { type: 'string', description: `Always ${k.kind}.`, ...(opts.forCrd ? {} : { enum: [k.kind] }) },
      metadata,
      spec: k.spec,
      status: k.status,
    },
    required: ['spec'],
  };
}
