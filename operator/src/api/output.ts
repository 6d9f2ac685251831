// LogOutput (namespaced) and ClusterLogOutput (cluster-scoped): a destination plus how records
// wait for it (buffer), how failures are retried, and where unrecoverable records go.

import { DESTINATION_APIS, DESTINATION_TYPES } from '../destinations/index.ts';
import { buffer, DNS_LABEL, labelSelector, outputRef, retry } from './common.ts';
import { arr, exactlyOne, obj, type Schema, str } from './dsl.ts';

/** `a, b or c` */
const oneOf = (names: readonly string[]): string => `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;

function outputSpec(cluster: boolean): Schema {
  const props: Record<string, Schema> = {
    ...Object.fromEntries(DESTINATION_TYPES.map((t) => [t, DESTINATION_APIS[t].schema(cluster)])),
    buffer,
    retry,
    deadLetter: outputRef(
      'Where records go that this output rejects as unrecoverable (e.g. a mapping conflict, a message too large), with the error attached. Without it they are dropped and counted.',
      cluster ? ['ClusterLogOutput'] : ['LogOutput', 'ClusterLogOutput'],
    ),
  };
  if (cluster) {
    props.allowedNamespaces = obj(
      'Namespaced LogPipelines that may use this output. Omit to allow only ClusterLogPipelines.',
      {
        names: arr('These namespaces.', str('Namespace.', { maxLength: 63, pattern: DNS_LABEL }), {
          maxItems: 256,
        }),
        selector: labelSelector('Namespaces whose labels match.'),
        routingFields: arr(
          "Record fields that may choose where the records of these LogPipelines go (an index, key prefix or Kafka `topicField` of this output reading them), beyond `kubernetes.namespace`, `kubernetes.node` and `stream`, which no tenant can set. Pod labels, annotations and names, the pipeline name and parsed fields are chosen by the tenants: routing by them lets one namespace write where another's records go. Until the fields this output routes by are allowed here, LogPipelines are refused with reason OutputNotAllowed.",
          str('A record field, e.g. `kubernetes.labels.team`.', { maxLength: 256, minLength: 1 }),
          { maxItems: 32 },
        ),
      },
    );
  }
  return obj(
    cluster
      ? 'A destination for ClusterLogPipelines, and for LogPipelines of the namespaces it allows.'
      : 'A destination for the LogPipelines of this namespace.',
    props,
    {
      'x-kubernetes-validations': [
        exactlyOne(DESTINATION_TYPES, `set exactly one destination: ${oneOf(DESTINATION_TYPES)}`),
      ],
    },
  );
}

export const logOutputSpec = outputSpec(false);
export const clusterLogOutputSpec = outputSpec(true);
