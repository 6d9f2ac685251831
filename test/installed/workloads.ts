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

export interface Writer {
  name: string;
  labels: Record<string, string>;
  tag: string;
  count: number;
  level?: string;
  batch?: number;
  pause?: string;
  annotations?: Record<string, string>;
}

export function scriptConfigMap(namespace: string): object {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'writer', namespace },
    data: { 'writer.sh': WRITER_SCRIPT },
  };
}

/** A Deployment of one writer pod (its workload is then the Deployment). */
export function writerDeployment(namespace: string, image: string, w: Writer): object {
  const labels = { ...w.labels, writer: w.name };
  const env = {
    TAG: w.tag,
    COUNT: String(w.count),
    LEVEL: w.level ?? 'info',
    BATCH: String(w.batch ?? 1_000_000),
    PAUSE: w.pause ?? '0',
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: w.name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { writer: w.name } },
      template: {
        metadata: { labels, ...(w.annotations ? { annotations: w.annotations } : {}) },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'app',
              image,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '/scripts/writer.sh'],
              env: Object.entries(env).map(([name, value]) => ({ name, value })),
              volumeMounts: [{ name: 'scripts', mountPath: '/scripts' }],
            },
          ],
          volumes: [{ name: 'scripts', configMap: { name: 'writer' } }],
        },
      },
    },
  };
}

export const list = (items: object[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
