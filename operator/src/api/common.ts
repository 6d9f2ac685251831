// Building blocks shared by several kinds: selectors, secret references, buffering, retry, status.
import { arr, bool, duration, enumOf, int, obj, quantity, type Schema, str, strMap } from './dsl.ts';

export const GROUP = 'sluice.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** DNS-1123 label: namespaces, object names of outputs. */
export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** DNS-1123 subdomain: Secret and other object names. */
export const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export function labelSelector(description: string): Schema {
  return obj(`${description} An empty selector matches everything.`, {
    matchLabels: strMap('Labels that must all be present with exactly these values.', {
      example: { app: 'checkout' },
    }),
    matchExpressions: arr(
      'Set-based requirements; all must hold.',
      obj(
        'One requirement.',
        {
          key: str('The label key.', { maxLength: 317, minLength: 1 }),
          operator: enumOf('How the key relates to the values.', ['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: arr(
            'Values for In and NotIn; must be empty for Exists and DoesNotExist.',
            str('A label value.', { maxLength: 63 }),
          ),
        },
        {
          required: ['key', 'operator'],
          'x-kubernetes-validations': [
            {
              rule: "self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0) : (!has(self.values) || size(self.values) == 0)",
              message: 'In and NotIn need at least one value; Exists and DoesNotExist take no values',
            },
          ],
        },
      ),
      { maxItems: 16 },
    ),
  });
}

/** A key of a Secret. `namespaced` references (from cluster-scoped outputs) also name the namespace. */
export function secretKeyRef(description: string, namespaced: boolean): Schema {
  const props: Record<string, Schema> = {
    name: str('Name of the Secret.', { maxLength: 253, minLength: 1, pattern: DNS_SUBDOMAIN }),
    key: str('Key inside the Secret.', { maxLength: 253, minLength: 1, pattern: '^[-._a-zA-Z0-9]+$' }),
  };
  if (namespaced) {
    props.namespace = str('Namespace of the Secret. Cluster outputs must name it.', {
      maxLength: 63,
      minLength: 1,
      pattern: DNS_LABEL,
    });
  }
  return obj(
    `${description} Only the agent reads the value, at run time; it is never copied into a ConfigMap.`,
    props,
    { required: namespaced ? ['name', 'namespace', 'key'] : ['name', 'key'] },
  );
}

export function tls(namespacedSecrets: boolean): Schema {
  return obj('TLS for the connection. Server certificates are verified against the system roots or `ca`.', {
    enabled: bool('Use TLS. Implied when any other TLS field is set.', { default: false }),
    ca: secretKeyRef('PEM CA bundle that signs the server certificate.', namespacedSecrets),
    cert: secretKeyRef('PEM client certificate for mutual TLS.', namespacedSecrets),
    key: secretKeyRef('PEM private key of the client certificate.', namespacedSecrets),
    serverName: str('Server name to verify instead of the host name.', { maxLength: 253 }),
    insecureSkipVerify: bool('Do not verify the server certificate. Only for testing.', { default: false }),
  });
}

export const buffer: Schema = obj(
  'How records wait for this output. Every output has its own buffer, so a slow output only delays itself.',
  {
    type: enumOf(
      '`memory` is bounded and lost on agent restart (the files are re-read from the last checkpoint); `disk` is a write-ahead log under the agent data directory that survives crashes.',
      ['memory', 'disk'],
      { default: 'memory' },
    ),
    maxSize: quantity(
      'Upper bound of the buffer in bytes per agent. Defaults: 4Mi in memory, 1Gi on disk. The platform may cap the buffers of a namespace (OverNamespaceCap) and scale every buffer of a node down to fit the node budget of the agent (see docs/security.md#tenant-caps).',
      {
        example: '2Gi',
      },
    ),
    whenFull: enumOf(
      '`block`: this output stops taking records while its buffer is full and catches up from the source files once it has room (nothing is lost while the files exist; the files are the buffer); the other outputs keep reading, and reading pauses only when every output of the pipeline is full. `dropNewest` drops and counts new records for this output only.',
      ['block', 'dropNewest'],
      { default: 'block' },
    ),
  },
);

export const retry: Schema = obj(
  'Retry of failed deliveries with capped exponential backoff and jitter. Recoverable failures (an unreachable broker, a 503) are retried forever, so nothing is lost while the buffer holds; unrecoverable records (a message too large, a mapping conflict) go to `deadLetter` or are dropped and counted.',
  {
    initialBackoff: duration('Delay before the first retry.', { default: '1s' }),
    maxBackoff: duration('Upper bound of the delay between retries.', { default: '5m' }),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: '!has(self.initialBackoff) || !has(self.maxBackoff) || duration(self.initialBackoff) <= duration(self.maxBackoff)',
        message: 'initialBackoff must not be longer than maxBackoff',
      },
    ],
  },
);

export function outputRef(description: string, kinds: readonly string[]): Schema {
  return obj(
    description,
    {
      name: str('Name of the output.', { maxLength: 253, minLength: 1, pattern: DNS_SUBDOMAIN }),
      kind: enumOf('Kind of the output.', kinds, { default: kinds[0] }),
    },
    { required: ['name'] },
  );
}

const condition: Schema = obj(
  'A condition in the metav1.Condition shape.',
  {
    type: str('Accepted, AgentsReady, Delivering or Ready.', { maxLength: 316 }),
    status: enumOf('True, False or Unknown.', ['True', 'False', 'Unknown']),
    observedGeneration: int('The metadata.generation this condition was computed for.', { minimum: 0 }),
    lastTransitionTime: str('When the status last changed.', { format: 'date-time' }),
    reason: str('A reason from the fixed catalogue, CamelCase.', { maxLength: 1024 }),
    message: str('What happened and what to do about it.', { maxLength: 32768 }),
  },
  { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
);

const countsByReason: Schema = {
  type: 'object',
  description: 'Records dropped since the agents started, by reason.',
  additionalProperties: int('Count.', { minimum: 0 }),
  maxProperties: 32,
};

const outputStatus: Schema = obj('Delivery figures of one output, summed over all agents.', {
  name: str('Name of the output.', { maxLength: 253 }),
  kind: str('LogOutput or ClusterLogOutput.', { maxLength: 32 }),
  delivered: int('Records delivered since the agents started.', { minimum: 0 }),
  dropped: countsByReason,
  bufferedBytes: int('Bytes waiting in the buffers now.', { minimum: 0 }),
  lastError: str('The last delivery error an agent reported.', { maxLength: 32768 }),
  lastErrorTime: str('When lastError happened.', { format: 'date-time' }),
});

export function status(kind: 'pipeline' | 'output'): Schema {
  const props: Record<string, Schema> = {
    observedGeneration: int('The metadata.generation the operator last processed.', { minimum: 0 }),
    conditions: arr('Current state: Accepted, AgentsReady, Delivering and the summary Ready.', condition, {
      maxItems: 16,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    }),
    delivered: int('Records delivered, summed over all outputs and agents.', { minimum: 0 }),
  };
  if (kind === 'pipeline') {
    props.agents = obj('Agent rollout of this pipeline.', {
      desired: int('Agents that should run this pipeline (one per eligible node).', { minimum: 0 }),
      ready: int('Agents that are running and ready.', { minimum: 0 }),
      configured: int("Agents that run a configuration that includes this pipeline's current generation.", {
        minimum: 0,
      }),
    });
    props.agentSummary = str('configured/desired, for `kubectl get`.', { maxLength: 32 });
    props.unreadBytes = {
      type: 'object',
      description:
        'Bytes of its log files the agents never read, by reason, since they started: deleted (the file was deleted before it was read to its end), incomplete_line (a rotated file ended without a newline).',
      additionalProperties: int('Bytes.', { minimum: 0 }),
      maxProperties: 16,
    };
    props.droppedByCaps = {
      type: 'object',
      description:
        "Records the agents dropped since they started because of the platform's per-namespace caps, by reason: namespace_rate_cap (the namespace's LogPipelines together went over the tenancy cap maxRecordsPerSecond on a node).",
      additionalProperties: int('Records.', { minimum: 0 }),
      maxProperties: 16,
    };
    props.outputs = arr('Per-output delivery figures.', outputStatus, { maxItems: 16 });
    props.outputSummary = str('healthy/total outputs, for `kubectl get`.', { maxLength: 32 });
  } else {
    props.type = str('The destination type, for `kubectl get`.', { maxLength: 32 });
    props.pipelines = int('Pipelines that use this output.', { minimum: 0 });
    props.dropped = countsByReason;
    props.bufferedBytes = int('Bytes waiting in the buffers now.', { minimum: 0 });
    props.lastError = str('The last delivery error an agent reported.', { maxLength: 32768 });
    props.lastErrorTime = str('When lastError happened.', { format: 'date-time' });
  }
  return obj('Observed state, written by the operator only.', props);
}
