// The operator's prom-client metrics: reconcile duration, queue depth, errors by reason,
// apiserver writes (by verb and resource) and requests, leadership, pipelines by state.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface OperatorMetrics {
  registry: Registry;
  reconcileDuration: Histogram<'kind'>;
  queueDepth: Gauge;
  errors: Counter<'reason'>;
  writes: Counter<'verb' | 'resource'>;
  requests: Gauge<'verb'>;
  leader: Gauge;
  pipelines: Gauge<'state'>;
  configInfo: Gauge<'hash'>;
}

export function makeOperatorMetrics(requests: () => Map<string, number>): OperatorMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    reconcileDuration: new Histogram({
      name: 'sluice_operator_reconcile_duration_seconds',
      help: 'Time per reconcile: kind=world (compile, render, apply, prune) or status (one resource).',
      labelNames: ['kind'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'sluice_operator_queue_depth',
      help: 'Keys waiting in the work queue.',
      registers,
    }),
    errors: new Counter({
      name: 'sluice_operator_reconcile_errors_total',
      help: 'Failed reconciles by reason (Forbidden, Conflict, NotFound, Invalid, ServerError, Network).',
      labelNames: ['reason'],
      registers,
    }),
    writes: new Counter({
      name: 'sluice_operator_apiserver_writes_total',
      help: 'Writes to the apiserver by verb (apply, delete, status, create, update) and resource.',
      labelNames: ['verb', 'resource'],
      registers,
    }),
    requests: new Gauge({
      name: 'sluice_operator_apiserver_requests',
      help: 'Requests to the apiserver since start, by HTTP method.',
      labelNames: ['verb'],
      registers,
      collect() {
        for (const [verb, n] of requests()) this.set({ verb }, n);
      },
    }),
    leader: new Gauge({ name: 'sluice_operator_leader', help: '1 while this replica leads.', registers }),
    configInfo: new Gauge({
      name: 'sluice_operator_config_info',
      help: 'The agent config hash this replica last applied (value 1); agents report theirs as sluice_config_info.',
      labelNames: ['hash'],
      registers,
    }),
    pipelines: new Gauge({
      name: 'sluice_operator_pipelines',
      help: 'Pipelines by state: accepted, rejected, kept (rejected, running its last good config).',
      labelNames: ['state'],
      registers,
    }),
  };
}

/** A stable reason label for an error. */
export function errorReason(e: unknown): string {
  const status = (e as { status?: number }).status;
  if (status === 403) return 'Forbidden';
  if (status === 409) return 'Conflict';
  if (status === 404) return 'NotFound';
  if (status === 422 || status === 400) return 'Invalid';
  if (status !== undefined && status >= 500) return 'ServerError';
  if (status === undefined) return 'Network';
  return `Http${status}`;
}
