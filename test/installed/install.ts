// What every suite of test/installed/ does before and around its install of the chart: a one-node
// cluster (kwok's fake nodes removed), the release namespace gone from earlier suites, the images
// built from the Dockerfiles and imported into the node; then reading the agent pods and the
// conditions of the resources the way a user reads them.
import { FAKE_NODES } from '../env/components/kwok-nodes.ts';
import { buildImages } from '../env/images/build.ts';
import { importImage, type TestEnv } from '../env/index.ts';
import { type Cluster, until } from './cluster.ts';

export const NS = 'sluice-system';
export const MIN = 60_000;

/**
 * Prepares the node for an install: no fake nodes, no release namespace left by an earlier suite
 * (or by an interrupted run), the images built and imported. Returns their ids (config digests).
 */
export async function prepareNode(c: Cluster, env: TestEnv): Promise<{ agent: string; operator: string }> {
  // kwok's fake nodes are for scale tests: a cluster of one real node is what is installed here.
  c.run('kubectl', ['delete', 'node', ...FAKE_NODES, '--ignore-not-found', '--wait=true']);
  // Other suites install into the same namespace and delete it without waiting: start afresh.
  c.run('kubectl', ['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
  await until(
    `no namespace ${NS} left by earlier suites`,
    3 * MIN,
    () => c.find('namespace', NS) === undefined,
  );
  const images = await buildImages((m) => process.stderr.write(`[images] ${m}\n`));
  for (const i of Object.values(images)) await importImage(i.archive, env);
  return { agent: images.agent.id, operator: images.operator.id };
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

interface WithConditions {
  status?: { conditions?: Condition[] };
}

export const condition = (o: WithConditions | undefined, type: string): Condition | undefined =>
  o?.status?.conditions?.find((x) => x.type === type);

/** The resource is Ready for its current generation, with every agent configured. */
export function readyNow(o: {
  metadata: { generation: number };
  status?: { observedGeneration?: number; agentSummary?: string; conditions?: Condition[] };
}): boolean {
  return (
    o.status?.observedGeneration === o.metadata.generation &&
    condition(o, 'Ready')?.status === 'True' &&
    o.status?.agentSummary === '1/1'
  );
}

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read field by field
export const agentPods = (c: Cluster, name = 'sluice-agent'): any[] =>
  c.get('pods', '-n', NS, '-l', `app.kubernetes.io/component=agent,app.kubernetes.io/instance=${name}`).items;

/** The one agent pod of the node, once it is Ready (its probes need no token). */
// biome-ignore lint/suspicious/noExplicitAny: as above
export async function readyAgent(c: Cluster, name = 'sluice-agent'): Promise<any> {
  return until(`one ready ${name} pod`, 3 * MIN, () => {
    const pods = agentPods(c, name).filter(
      (p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp,
    );
    const ready = pods.filter((p: { status: { conditions?: { type: string; status: string }[] } }) =>
      p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'),
    );
    return pods.length === 1 && ready.length === 1 ? ready[0] : undefined;
  });
}

/**
 * Undoes a suite's install: its app namespaces, its cluster-scoped pipelines and outputs (labelled
 * `e2e=<label>`), the chart, and the chart's namespace; nothing waits for the namespaces to go.
 */
export function uninstall(c: Cluster, label: string, appNamespaces: readonly string[]): void {
  c.run('kubectl', ['delete', 'namespace', ...appNamespaces, '--ignore-not-found', '--wait=false']);
  c.run('kubectl', [
    'delete',
    'clusterlogpipeline,clusterlogoutput',
    '-l',
    `e2e=${label}`,
    '--ignore-not-found',
  ]);
  c.run('helm', ['uninstall', 'sluice', '-n', NS, '--wait']);
  c.run('kubectl', ['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
}
