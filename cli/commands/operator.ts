// `sluice operator`: reconcile LogPipelines and outputs into the agent DaemonSet and its objects.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { load } from 'js-yaml';
import { type Command, EXIT } from '../command.ts';

const help = `usage: sluice operator [options]

Run the operator: watch LogPipeline, ClusterLogPipeline, LogOutput and ClusterLogOutput, render
the agent DaemonSet, ConfigMap, RBAC, PDB, NetworkPolicy and Service into --namespace, and write
status. Runs in the cluster (in-cluster credentials) or with --kubeconfig.

options:
      --namespace NS            namespace of the operator and the agents (default: $POD_NAMESPACE or sluice-system)
      --settings FILE           render settings (YAML/JSON): agentName, agentImage, resources, tolerations, ...
      --agent-settings FILE     settings embedded in the agent config (logLevel, dataDir, httpPort, ...)
      --kubeconfig FILE         credentials (default: in-cluster, then $KUBECONFIG)
      --http-port N             /healthz /readyz /metrics (default 8080; 0 = any free port; -1 = off)
      --http-host HOST          (default 0.0.0.0)
      --leader-elect BOOL       elect a leader through a Lease (default true)
      --lease-name NAME         (default sluice-operator)
      --lease-duration SEC      (default 15)
      --renew-deadline SEC      (default 10)
      --retry-period SEC        (default 2)
      --concurrency N           status reconciles in parallel (default 16)
      --figures-interval SEC    least time between figure-only status writes per resource (default 30)
      --resync SEC              informer resync period (default 600)
      --log-level LEVEL         (default info)
  -h, --help
`;

function readDoc(file: string | undefined): Record<string, unknown> | undefined {
  if (file === undefined) return undefined;
  return load(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export const command: Command = {
  summary: 'run the operator (inside the cluster)',
  async run(argv) {
    let v: Record<string, string | boolean | undefined>;
    try {
      ({ values: v } = parseArgs({
        args: argv,
        options: {
          namespace: { type: 'string' },
          settings: { type: 'string' },
          'agent-settings': { type: 'string' },
          kubeconfig: { type: 'string' },
          'http-port': { type: 'string' },
          'http-host': { type: 'string' },
          'leader-elect': { type: 'string' },
          'lease-name': { type: 'string' },
          'lease-duration': { type: 'string' },
          'renew-deadline': { type: 'string' },
          'retry-period': { type: 'string' },
          concurrency: { type: 'string' },
          'figures-interval': { type: 'string' },
          resync: { type: 'string' },
          'log-level': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (e) {
      process.stderr.write(`sluice operator: ${(e as Error).message}\n\n${help}`);
      return EXIT.usage;
    }
    if (v.help) {
      process.stdout.write(help);
      return EXIT.ok;
    }
    const num = (name: string, dflt: number): number => {
      const s = v[name];
      if (s === undefined) return dflt;
      const n = Number(s);
      if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, not "${s}"`);
      return n;
    };
    try {
      const { defaultSettings } = await import('../../operator/src/render/settings.ts');
      const namespace = (v.namespace as string | undefined) ?? process.env.POD_NAMESPACE ?? 'sluice-system';
      const settings = defaultSettings({ ...(readDoc(v.settings as string | undefined) ?? {}), namespace });
      // A typo in the tenancy caps or the buffer budget stops the operator here, with the field.
      const { compilePolicy } = await import('../../operator/src/tenancy/policy.ts');
      const { bufferBudgetFor } = await import('../../operator/src/render/agent-settings.ts');
      compilePolicy(settings.tenancy);
      bufferBudgetFor(settings);
      const agent = readDoc(v['agent-settings'] as string | undefined);
      const { runOperator } = await import('../../operator/src/main.ts');
      return await runOperator({
        settings,
        ...(agent ? { agent } : {}),
        ...(v.kubeconfig ? { kubeconfig: v.kubeconfig as string } : {}),
        httpHost: (v['http-host'] as string | undefined) ?? '0.0.0.0',
        httpPort: num('http-port', 8080),
        leaderElect: v['leader-elect'] !== 'false',
        leaseName: (v['lease-name'] as string | undefined) ?? 'sluice-operator',
        leaseDurationMs: num('lease-duration', 15) * 1000,
        renewDeadlineMs: num('renew-deadline', 10) * 1000,
        retryMs: num('retry-period', 2) * 1000,
        concurrency: num('concurrency', 16),
        figuresIntervalMs: num('figures-interval', 30) * 1000,
        resyncMs: num('resync', 600) * 1000,
        logLevel: (v['log-level'] as string | undefined) ?? 'info',
      });
    } catch (e) {
      process.stderr.write(`sluice operator: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
  },
};
