// The application pods of the end-to-end test: busybox shells that write sequence-tagged JSON lines
// (`SEQ:<tag>:<n>;`, what Tally counts) to stdout, then idle. Built as objects and applied as JSON,
// so no shell quoting passes through YAML.

/** The writer script, from a ConfigMap: COUNT lines, BATCH at a time with PAUSE seconds between. */
export const WRITER_SCRIPT = `i=0
while [ "$i" -lt "$COUNT" ]; do
  echo "{\\"level\\":\\"$LEVEL\\",\\"msg\\":\\"order placed SEQ:$TAG:$i;\\"}"
  i=$((i+1))
  if [ $((i % BATCH)) -eq 0 ]; then sleep "$PAUSE"; fi
done
exec sleep 1000000
`;

/**
 * A writer paced by the clock: RATE lines per second on average, catching up after it was not
 * scheduled (a fixed sleep per batch writes less when the node is busy, which would be measured as
 * the pipeline's loss). /proc/uptime is read with the shell's own `read`: no process per tick.
 */
export const PACED_SCRIPT = `read up _ < /proc/uptime; start=\${up%.*}\${up#*.}; i=0
while [ "$i" -lt "$COUNT" ]; do
  read up _ < /proc/uptime; now=\${up%.*}\${up#*.}
  due=$(( (now - start) * RATE / 100 ))
  if [ "$due" -gt "$COUNT" ]; then due=$COUNT; fi
  while [ "$i" -lt "$due" ]; do
    echo "{\\"level\\":\\"$LEVEL\\",\\"msg\\":\\"order placed SEQ:$TAG:$i;\\"}"
    i=$((i+1))
  done
  sleep 0.05
done
exec sleep 1000000
`;

export interface Writer {
  name: string;
  labels: Record<string, string>;
  tag: string;
  count: number;
  level?: string;
  batch?: number;
  pause?: string;
  annotations?: Record<string, string>;
  /** Lines per second, paced by the clock (PACED_SCRIPT) instead of batch and pause. */
  rate?: number;
}

export function scriptConfigMap(namespace: string): object {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'writer', namespace },
    data: { 'writer.sh': WRITER_SCRIPT, 'paced.sh': PACED_SCRIPT },
  };
}

/** A Deployment of one writer pod (its workload is then the Deployment). */
export function writerDeployment(namespace: string, image: string, w: Writer): object {
  const env = {
    TAG: w.tag,
    COUNT: String(w.count),
    LEVEL: w.level ?? 'info',
    BATCH: String(w.batch ?? 1_000_000),
    PAUSE: w.pause ?? '0',
    RATE: String(w.rate ?? 0),
  };
  return oneReplica(namespace, w.name, w.labels, w.annotations, {
    containers: [
      {
        name: 'app',
        image,
        imagePullPolicy: 'IfNotPresent',
        command: ['sh', w.rate ? '/scripts/paced.sh' : '/scripts/writer.sh'],
        env: Object.entries(env).map(([name, value]) => ({ name, value })),
        volumeMounts: [{ name: 'scripts', mountPath: '/scripts' }],
      },
    ],
    volumes: [{ name: 'scripts', configMap: { name: 'writer' } }],
  });
}

/** A Deployment of one busybox pod running `script` with sh (attack workloads: floods, hostile lines). */
export function shellDeployment(
  namespace: string,
  image: string,
  d: {
    name: string;
    labels: Record<string, string>;
    script: string;
    annotations?: Record<string, string>;
    serviceAccountName?: string;
  },
): object {
  return oneReplica(namespace, d.name, d.labels, d.annotations, {
    ...(d.serviceAccountName ? { serviceAccountName: d.serviceAccountName } : {}),
    containers: [{ name: 'app', image, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', d.script] }],
  });
}

/** One pod of `spec` under a Deployment, selected by its `writer` label (its workload is the Deployment). */
function oneReplica(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  annotations: Record<string, string> | undefined,
  spec: object,
): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { writer: name } },
      template: {
        metadata: { labels: { ...labels, writer: name }, ...(annotations ? { annotations } : {}) },
        spec: { terminationGracePeriodSeconds: 1, ...spec },
      },
    },
  };
}

export const list = (items: object[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
