// Host files in the agent config's pipeline input: plain-text files of the node, read as lines
// (contract; types are generated).
import { strList } from '../../contract/agent-config/schema-parts.ts';

export const options = {
  properties: {
    hostFiles: {
      type: 'object',
      additionalProperties: false,
      required: ['paths'],
      description: 'Cluster pipelines only: plain-text host files (e.g. /var/log/syslog), read as lines.',
      properties: {
        paths: strList('Absolute paths or globs (`*`, `**`), under agent.hostRoot.'),
        exclude: strList('Globs to skip.'),
      },
    },
  },
  /** Fields a LogPipeline may not set. */
  clusterOnly: ['hostFiles'],
} as const;
