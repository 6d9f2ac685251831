// The one source of the Helm chart's values: every value with its default, JSON Schema and
// description. scripts/generate.ts derives charts/sluice/values.yaml (commented),
// values.schema.json (helm rejects unknown or mistyped values) and the README's table from it.

export type JsonSchema = Record<string, unknown>;

export interface Value {
  kind: 'value';
  description: string;
  default: unknown;
  schema: JsonSchema;
}
export interface Group {
  kind: 'group';
  description: string;
  fields: Record<string, Value | Group>;
}

const value = (description: string, def: unknown, schema: JsonSchema): Value => ({
  kind: 'value',
  description,
  default: def,
  schema,
});
const group = (description: string, fields: Record<string, Value | Group>): Group => ({
  kind: 'group',
  description,
  fields,
});

const str = (description: string, def: string, extra: JsonSchema = {}) =>
  value(description, def, { type: 'string', ...extra });
const bool = (description: string, def: boolean) => value(description, def, { type: 'boolean' });
const int = (description: string, def: number, extra: JsonSchema = {}) =>
  value(description, def, { type: 'integer', ...extra });
const map = (description: string, def: Record<string, unknown>, valueType = 'string') =>
  value(description, def, { type: 'object', additionalProperties: { type: valueType } });
const obj = (description: string, def: Record<string, unknown>) =>
  value(description, def, { type: 'object' });
const list = (description: string, def: unknown[], items: JsonSchema = { type: 'object' }) =>
  value(description, def, { type: 'array', items });

const quantity = { type: ['string', 'integer'] };
const resources = (requests: Record<string, string>, limits: Record<string, string>) =>
  value(
    'Compute resources of the container.',
    { requests, limits },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        requests: { type: 'object', additionalProperties: quantity },
        limits: { type: 'object', additionalProperties: quantity },
      },
    },
  );
const capCount = (description: string) =>
  value(`${description} Empty: no cap.`, null, { type: ['integer', 'null'], minimum: 0 });
const capBytes = (description: string) =>
  value(`${description} A quantity such as \`64Mi\`; empty: no cap.`, null, {
    type: ['string', 'integer', 'null'],
    pattern: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$',
    minimum: 0,
  });
const CAPS = {
  maxPipelines: capCount(
    'LogPipelines a namespace may have; the newest beyond it are refused (OverNamespaceCap).',
  ),
  maxOutputs: capCount(
    'LogOutputs a namespace may have; the newest beyond it are refused (OverNamespaceCap).',
  ),
  maxBufferBytes: capBytes(
    'Memory-buffer bytes the LogOutputs of a namespace may hold together on each agent (their `spec.buffer.maxSize`, an unset one fitted to what is left). An output that asks for more than is left is refused (OverNamespaceCap).',
  ),
  maxDiskBufferBytes: capBytes(
    'Disk-buffer bytes the LogOutputs of a namespace may hold together on each agent, as maxBufferBytes for `buffer.type: disk`.',
  ),
  maxRecordBytes: capBytes(
    "Longest record a namespace's LogPipelines keep (at least 1Ki): `spec.parse.maxRecordSize` above it is lowered to it; longer records are truncated and counted.",
  ),
  maxRecordsPerSecond: capCount(
    "Records per second the LogPipelines of a namespace may process together on each agent; more are dropped and counted (reason namespace_rate_cap, in the pipeline's status).",
  ),
  allowedDestinations: value(
    'Hosts the LogOutputs of a namespace may send to: `host`, `host:port`, or `*.domain[:port]` (any subdomain), matched against Kafka brokers, OpenSearch endpoints and the S3 endpoint (`s3.REGION.amazonaws.com` when none is set). A LogOutput naming another host is refused (DestinationNotAllowed). Empty: any host.',
    null,
    {
      type: ['array', 'null'],
      items: { type: 'string', pattern: '^(\\*\\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$' },
    },
  ),
};
const capsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(Object.entries(CAPS).map(([k, v]) => [k, v.schema])),
};
const port = (description: string, def: number) => int(description, def, { minimum: 1, maximum: 65535 });
const path = (description: string, def: string) => str(description, def, { pattern: '^/' });

export const VALUES: Group = group('', {
  image: group('Container images. Both images come from one build of the same version.', {
    registry: str('Registry host of both images.', 'ghcr.io'),
    operatorRepository: str('Repository of the operator image.', 'sluice-dev/sluice-operator'),
    agentRepository: str('Repository of the agent image.', 'sluice-dev/sluice-agent'),
    tag: str('Image tag of both images; empty means the chart appVersion.', ''),
    pullPolicy: str('Image pull policy of the operator and the agents.', 'IfNotPresent', {
      enum: ['Always', 'IfNotPresent', 'Never'],
    }),
  }),
  imagePullSecrets: list('Names of Secrets to pull both images with.', [], { type: 'string' }),
  commonLabels: map('Labels added to every object of the chart and every object the operator renders.', {}),
  operator: group('The operator Deployment.', {
    replicas: int(
      'Operator replicas. One is the leader (a Lease); the others wait to take over within seconds.',
      2,
      { minimum: 1 },
    ),
    leaderElection: group('Leader election through a coordination.k8s.io Lease.', {
      enabled: bool('Elect a leader; required when replicas > 1.', true),
      leaseName: str('Name of the Lease in the release namespace.', 'sluice-operator'),
    }),
    logLevel: str('Operator log level (pino JSON logs).', 'info', {
      enum: ['trace', 'debug', 'info', 'warn', 'error'],
    }),
    httpPort: port('Port of the operator HTTP endpoint: /metrics, /healthz and /readyz.', 8080),
    resources: resources({ cpu: '50m', memory: '128Mi' }, { memory: '512Mi' }),
    priorityClassName: str('PriorityClass of the operator pods; empty for none.', ''),
    nodeSelector: map('Node selector of the operator pods.', { 'kubernetes.io/os': 'linux' }),
    tolerations: list('Tolerations of the operator pods.', []),
    affinity: obj(
      'Affinity of the operator pods. Empty means the default: replicas preferably on different nodes and zones.',
      {},
    ),
    podAnnotations: map('Extra annotations on the operator pods.', {}),
    podLabels: map('Extra labels on the operator pods.', {}),
    pdb: group('PodDisruptionBudget of the operator.', {
      enabled: bool('Create the PodDisruptionBudget (only when replicas > 1).', true),
      minAvailable: int('Operator pods that node drains must leave running.', 1, { minimum: 0 }),
    }),
    serviceAccount: group('ServiceAccount of the operator.', {
      name: str('Name; empty means the release fullname.', ''),
      annotations: map('Annotations, e.g. for a cloud identity.', {}),
    }),
  }),
  agent: group('The agent DaemonSet the operator renders (passed to it as settings).', {
    name: str(
      'Base name of the agent objects (DaemonSet, ConfigMap, ServiceAccount, roles).',
      'sluice-agent',
      { pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 40 },
    ),
    resources: resources({ cpu: '100m', memory: '128Mi' }, { memory: '512Mi' }),
    priorityClassName: str('PriorityClass of the agents; empty for none.', 'system-node-critical'),
    tolerations: list(
      'Tolerations of the agents. The default tolerates every taint, so every node ships its logs.',
      [{ operator: 'Exists' }],
    ),
    nodeSelector: map('Nodes that run an agent.', { 'kubernetes.io/os': 'linux' }),
    podLogsDir: path('Host directory of the pod logs (CRI layout).', '/var/log/pods'),
    containerLogsDir: path('Host directory of the container log symlinks.', '/var/log/containers'),
    hostDataDir: path('Host directory for checkpoints and disk buffers.', '/var/lib/sluice'),
    metricsPort: port(
      'Port of the agent HTTP endpoint (/metrics, /status, /healthz, /readyz). /metrics and /status answer only callers whose bearer token the apiserver accepts and who may get that non-resource URL (Prometheus: its ServiceAccount token and `get /metrics`).',
      2020,
    ),
    tapPort: port(
      "Port of the agents' /tap (`sluice tap` through the apiserver's pods/proxy), apart from the metrics port so metricsFrom does not cut it off; each tap is authorised by the agent.",
      2021,
    ),
    metricsFrom: list(
      "NetworkPolicy peers (from entries) admitted to the agents' metrics port, e.g. `[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}, podSelector: {matchLabels: {app.kubernetes.io/name: prometheus}}}]`. Empty (the default): any pod reaches the port, and /metrics and /status still require an authorised token. Kubelet probes come from the node and are always admitted.",
      [],
      {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          namespaceSelector: { type: 'object' },
          podSelector: { type: 'object' },
          ipBlock: { type: 'object' },
        },
      },
    ),
    bufferBudget: group(
      'Node-wide budget of the output buffers on each agent: when the buffers of all outputs (every tenant) add up to more, the agent scales each down by the same factor instead of risking an OOM kill or a full disk; drops of a scaled-down `whenFull: dropNewest` buffer count as node_buffer_budget.',
      {
        memory: str(
          'Bytes all memory buffers may hold together, e.g. `128Mi`; empty: memoryPercentOfLimit of `agent.resources.limits.memory`.',
          '',
          { pattern: '^([0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?)?$' },
        ),
        memoryPercentOfLimit: int(
          'When memory is empty: this share of the agent memory limit, in percent. Memory buffers cost about twice their bytes in heap.',
          25,
          { minimum: 1, maximum: 100 },
        ),
        disk: str(
          'Bytes all disk buffers may hold together under `agent.hostDataDir`; empty: no budget.',
          '8Gi',
          { pattern: '^([0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?)?$' },
        ),
      },
    ),
  }),
  tenancy: group(
    "Caps per namespace on what app teams' LogPipelines and LogOutputs may ask of the shared agents (ClusterLogPipelines and ClusterLogOutputs are not capped). Enforced by the operator, shown in the resources' status; see docs/security.md#tenant-caps.",
    {
      defaults: group('Caps of every namespace.', CAPS),
      namespaces: list(
        'Overrides: the first entry whose `namespaces` lists a namespace or whose `selector` (a label selector) matches it replaces the defaults it sets (null lifts a default cap), e.g. `[{namespaces: [payments], maxPipelines: 50}, {selector: {matchLabels: {tier: batch}}, maxRecordsPerSecond: 200}]`.',
        [],
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            namespaces: { type: 'array', items: { type: 'string' } },
            selector: { type: 'object' },
            ...capsSchema.properties,
          },
        },
      ),
    },
  ),
  rbac: group('RBAC for the people who use Sluice.', {
    aggregateToDefaultRoles: bool(
      'Aggregate LogPipeline/LogOutput rights into the admin, edit and view ClusterRoles, so namespace admins and editors manage them (and `sluice tap` them: logpipelines/tap) and viewers read them.',
      true,
    ),
    tapProxyGroups: list(
      'Groups allowed to reach the agents through the apiserver (list pods, get pods/proxy in the release namespace) for `sluice tap`. This grants no records: each agent authorises the end user (get logpipelines/tap). Empty (the default): no such Role; tapping through the apiserver is opt-in, e.g. `[system:authenticated]`.',
      [],
      { type: 'string' },
    ),
  }),
  monitoring: group('Prometheus Operator and Grafana integration; all off by default.', {
    serviceMonitor: group('ServiceMonitors for the operator and the agents (monitoring.coreos.com/v1).', {
      enabled: bool('Create the ServiceMonitors.', false),
      interval: str('Scrape interval.', '30s', { pattern: '^[0-9]+(ms|s|m|h)$' }),
      labels: map('Extra labels, e.g. what your Prometheus selects ServiceMonitors by.', {}),
    }),
    prometheusRule: group('Alerts and recording rules (monitoring.coreos.com/v1 PrometheusRule).', {
      enabled: bool('Create the PrometheusRule.', false),
      labels: map('Extra labels, e.g. what your Prometheus selects rules by.', {}),
      runbookBaseUrl: str(
        'Base of the runbook links; each alert appends #<alert-name-in-lowercase>.',
        'https://github.com/sluice-dev/sluice/blob/main/docs/operations/runbook.md',
      ),
      sloObjective: value(
        'Delivery-success objective in percent: records accepted into output buffers that reach their destination (30-day window).',
        99.9,
        { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 100 },
      ),
      bufferFullBytes: int(
        'Bytes in one output buffer on one agent at which the buffer counts as filling up. Set it near 80% of your outputs buffer.maxSize.',
        858993459,
        { minimum: 1 },
      ),
      checkpointLagBytes: int(
        'Unread bytes of one pipeline on one agent above which a growing lag alerts.',
        268435456,
        {
          minimum: 1,
        },
      ),
    }),
    dashboard: group('The Grafana dashboard as a ConfigMap for the Grafana sidecar.', {
      enabled: bool('Create the dashboard ConfigMap.', false),
      namespace: str('Namespace of the ConfigMap; empty means the release namespace.', ''),
      labels: map('Labels the Grafana sidecar selects dashboards by.', { grafana_dashboard: '1' }),
    }),
  }),
});
