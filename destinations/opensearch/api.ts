// OpenSearch (or Elasticsearch-compatible) `_bulk`: the opensearch block of LogOutput /
// ClusterLogOutput and its agent options (options.ts; the sink is sink/).
import { secretKeyRef, tls } from '../../operator/src/api/common.ts';
import { arr, enumOf, obj, str } from '../../operator/src/api/dsl.ts';
import { templateFields } from '../../operator/src/api/fields.ts';
import { qualifySecrets } from '../../operator/src/compile/secrets.ts';
import {
  batchSchema,
  checkBatch,
  checkUrl,
  compileBatch,
  TEMPLATE_HELP,
  urlHost,
} from '../../operator/src/destinations/shared.ts';
import type { Destination } from '../../operator/src/destinations/types.ts';
import { checkTemplate } from '../../operator/src/validate/checks.ts';
import { problem } from '../../operator/src/validate/problem.ts';
import { OPENSEARCH_BATCH_DEFAULTS } from './batch.ts';
import { DEFAULT_INDEX } from './options.ts';

export const api: Destination<'opensearch'> = {
  schema: (ns) =>
    obj(
      'OpenSearch (or Elasticsearch-compatible) `_bulk` indexing with deterministic document ids, so retries never duplicate.',
      {
        endpoints: arr('Base URLs of the nodes.', str('URL.', { maxLength: 1024, pattern: '^https?://' }), {
          minItems: 1,
          maxItems: 16,
          example: ['https://opensearch.logging:9200'],
        }),
        // No schema default: the apiserver applies defaults before CEL rules, so a defaulted index
        // would make every dataStream output fail "set either index or dataStream". The agent
        // applies this default when neither is set.
        index: str(`Index name; default \`logs-{{ kubernetes.namespace }}-%Y.%m.%d\`. ${TEMPLATE_HELP}`, {
          maxLength: 255,
          example: 'logs-{{ kubernetes.namespace }}-%Y.%m.%d',
        }),
        dataStream: str('Write to this data stream (op_type create) instead of `index`.', { maxLength: 255 }),
        auth: obj(
          'Authentication. Set at most one.',
          {
            basic: obj(
              'HTTP basic authentication.',
              { username: secretKeyRef('User name.', ns), password: secretKeyRef('Password.', ns) },
              { required: ['username', 'password'] },
            ),
            awsSigV4: obj(
              "AWS Signature V4 with the credentials of the default chain (IRSA, pod identity): the agent's own identity, which a LogOutput may use only in a namespace the platform labelled `sluice.dev/agent-identity: allowed`.",
              {
                region: str('AWS region.', { maxLength: 64, minLength: 1 }),
                service: enumOf('`es` for managed OpenSearch, `aoss` for Serverless.', ['es', 'aoss'], {
                  default: 'es',
                }),
              },
              { required: ['region'] },
            ),
          },
          {
            'x-kubernetes-validations': [
              {
                rule: '!(has(self.basic) && has(self.awsSigV4))',
                message: 'set at most one of basic, awsSigV4',
              },
            ],
          },
        ),
        tls: tls(ns),
        compression: enumOf('Request body compression.', ['none', 'gzip'], { default: 'gzip' }),
        batch: batchSchema(OPENSEARCH_BATCH_DEFAULTS),
      },
      {
        required: ['endpoints'],
        'x-kubernetes-validations': [
          {
            rule: '!(has(self.index) && has(self.dataStream))',
            message: 'set either index or dataStream, not both',
          },
        ],
      },
    ),
  check: (o, at) => [
    ...(o.index !== undefined && o.dataStream !== undefined
      ? [problem(at, 'index and dataStream are both set', 'set either index or dataStream')]
      : []),
    ...checkTemplate(`${at}.index`, o.dataStream === undefined ? o.index : undefined),
    ...checkTemplate(`${at}.dataStream`, o.dataStream),
    ...(o.auth?.basic && o.auth.awsSigV4
      ? [problem(`${at}.auth`, 'basic and awsSigV4 are both set', 'set at most one')]
      : []),
    ...o.endpoints.flatMap((e, i) => checkUrl(`${at}.endpoints[${i}]`, e)),
    ...checkBatch(at, o.batch, { max: 100 * 1024 * 1024 }, { maxMs: 600_000 }),
  ],
  agentIdentity: (o, at) => (o.auth?.awsSigV4 !== undefined ? `${at}.auth.awsSigV4` : undefined),
  hosts: (o, at) => o.endpoints.flatMap((e, i) => urlHost(e, `${at}.endpoints[${i}]`)),
  routing: (o, at) =>
    o.dataStream !== undefined
      ? [{ path: `${at}.dataStream`, fields: templateFields(o.dataStream) }]
      : [{ path: `${at}.index`, fields: templateFields(o.index ?? DEFAULT_INDEX) }],
  compile: ({ batch, ...rest }, ctx) => {
    // A data stream replaces the index (validation refuses both; `sluice run -f` compiles too).
    const { index, ...withoutIndex } = rest;
    return {
      options: qualifySecrets(rest.dataStream !== undefined ? withoutIndex : rest, ctx.namespace),
      batch: compileBatch(batch),
    };
  },
};
