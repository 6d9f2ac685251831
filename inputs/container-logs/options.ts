// Container logs in the agent config's pipeline input: which namespaces, pods, containers and
// streams a pipeline reads from /var/log/pods (contract; types are generated).
import { labelSelectorSchema, nameFilterSchema } from '../../contract/agent-config/selectors.ts';

export const options = {
  properties: {
    namespaces: nameFilterSchema,
    pods: labelSelectorSchema,
    containers: nameFilterSchema,
    streams: {
      type: 'array',
      items: { enum: ['stdout', 'stderr'] },
      minItems: 1,
      uniqueItems: true,
      description: 'Streams to read. Default both.',
    },
    includeAgentPods: {
      type: 'boolean',
      description:
        "Cluster pipelines only: also read the agent's own pods (default false, avoids feedback loops).",
    },
    excludeAnnotation: {
      type: 'boolean',
      description:
        'Cluster pipelines only: skip pods annotated sluice.dev/exclude: "true" (default false: the pod\'s owners set it, so it cannot hide their logs from a platform pipeline). LogPipelines always skip them.',
    },
    containerLogs: {
      type: 'boolean',
      description: 'Set false to read no container logs at all (a host-files-only pipeline). Default true.',
    },
  },
  /** Fields a LogPipeline may not set. */
  clusterOnly: ['includeAgentPods', 'excludeAnnotation'],
} as const;
