// Defaults applied when the agent builds its runtime from a config, in one place, and the
// built-in config of `sluice run` without -f.
import { SIZE_DEFAULTS } from '../../../contract/agent-config/defaults.ts';
import type { AgentConfig } from '../../../contract/agent-config/types.ts';

export const DEFAULTS = {
  podLogsDir: '/var/log/pods',
  dataDir: '/var/lib/sluice',
  httpPort: 2020,
  httpHost: '0.0.0.0',
  maxOpenFiles: 1024,
  readBufferBytes: 128 * 1024,
  pollIntervalMs: 1000,
  rotateWaitMs: 5000,
  shutdownTimeoutMs: 25_000,
  maxRecordBytes: SIZE_DEFAULTS.maxRecordBytes,
  multilineFlushMs: 1000,
  memoryBufferBytes: SIZE_DEFAULTS.memory,
  diskBufferBytes: SIZE_DEFAULTS.disk,
  batchMaxRecords: 4096,
  batchMaxBytes: 1024 * 1024,
  batchMaxAgeMs: 200,
  retryInitialMs: 500,
  retryMaxMs: 60_000,
  deletedPodTtlSeconds: 60,
  enrichmentCacheBytes: 32 * 1024 * 1024,
  fsyncIntervalMs: 1000,
} as const;

/** The pipeline of `sluice run` without -f: every container, auto parsing, metadata from the path. */
export function defaultRunConfig(opts: {
  logsDir: string;
  outputFile: string;
  dataDir?: string;
}): AgentConfig {
  return {
    apiVersion: 'agent.sluice.dev/v1',
    agent: {
      podLogsDir: opts.logsDir,
      dataDir: opts.dataDir ?? '.sluice',
      httpPort: 0,
      enrichment: { kubernetes: false },
    },
    pipelines: [
      {
        id: 'ClusterLogPipeline/default',
        kind: 'ClusterLogPipeline',
        name: 'default',
        input: { includeAgentPods: true },
        parse: { format: 'auto' },
        outputs: ['file'],
      },
    ],
    outputs: [{ id: 'file', type: 'file', options: { path: opts.outputFile } }],
  };
}
