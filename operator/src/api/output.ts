// LogOutput (namespaced) and ClusterLogOutput (cluster-scoped): a destination plus how records
// wait for it (buffer), how failures are retried, and where unrecoverable records go.
import { buffer, DNS_LABEL, labelSelector, outputRef, retry } from './common.ts';
import { DESTINATIONS, file, kafka, opensearch, s3, stdout } from './destinations.ts';
import { arr, exactlyOne, obj, type Schema, str } from './dsl.ts';

function outputSpec(cluster: boolean): Schema {
  const props: Record<string, Schema> = {
    kafka: kafka(cluster),
    opensearch: opensearch(cluster),
    s3: s3(cluster),
    file,
    stdout,
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
        exactlyOne(DESTINATIONS, 'set exactly one destination: kafka, opensearch, s3, file or stdout'),
      ],
    },
  );
}

export const logOutputSpec = outputSpec(false);
export const clusterLogOutputSpec = outputSpec(true);
