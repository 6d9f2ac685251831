// The Grafana dashboard (charts/sluice/files/dashboards/sluice.json), built here so panels stay
// uniform: an overview, one row per pipeline and one row per output (Grafana repeats them over the
// `pipeline` and `output` variables), the agents' own health and the operator. Every query reads
// the metrics of agent/src/ops/metrics.ts, operator/src/ops/metrics.ts or the chart's recording
// rules; a test checks they exist.

interface Target {
  expr: string;
  legendFormat: string;
}
type Panel = Record<string, unknown>;

// Grafana's own variable syntax, not a JavaScript template.
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana variable reference
const DS = { type: 'prometheus', uid: '${datasource}' };
const SEL = 'namespace=~"$namespace"';
let nextId = 1;

function timeseries(
  title: string,
  description: string,
  unit: string,
  targets: Target[],
  gridPos: { x: number; y: number; w: number; h: number },
  extra: Panel = {},
): Panel {
  return {
    id: nextId++,
    type: 'timeseries',
    title,
    description,
    datasource: DS,
    gridPos,
    fieldConfig: { defaults: { unit, custom: { fillOpacity: 10, lineWidth: 1 } }, overrides: [] },
    options: { legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] } },
    targets: targets.map((t, i) => ({ ...t, refId: String.fromCharCode(65 + i), datasource: DS })),
    ...extra,
  };
}

function stat(title: string, description: string, unit: string, expr: string, x: number, y: number): Panel {
  return {
    id: nextId++,
    type: 'stat',
    title,
    description,
    datasource: DS,
    gridPos: { x, y, w: 4, h: 4 },
    fieldConfig: { defaults: { unit }, overrides: [] },
    options: { reduceOptions: { calcs: ['lastNotNull'] }, colorMode: 'value', graphMode: 'area' },
    targets: [{ expr, legendFormat: title, refId: 'A', datasource: DS }],
  };
}

function row(title: string, y: number, repeat?: string): Panel {
  return {
    id: nextId++,
    type: 'row',
    title,
    collapsed: false,
    gridPos: { x: 0, y, w: 24, h: 1 },
    panels: [],
    ...(repeat ? { repeat } : {}),
  };
}

function variable(name: string, label: string, query: string, includeAll: boolean): Panel {
  return {
    name,
    label,
    type: 'query',
    datasource: DS,
    query: { query, refId: name },
    definition: query,
    refresh: 2,
    multi: true,
    includeAll,
    sort: 1,
    current: includeAll ? { text: 'All', value: '$__all' } : {},
  };
}

const LOST = 'reason=~"buffer_full|node_buffer_budget|rejected|buffer_corrupted|buffer_write_failed"';

export function dashboard(): Record<string, unknown> {
  nextId = 1;
  const P = `${SEL}, pipeline=~"$pipeline"`;
  const O = `${SEL}, output=~"$output"`;
  const panels: Panel[] = [
    row('Overview', 0),
    stat(
      'Records in',
      'Records read by all pipelines.',
      'rps',
      `sum(rate(sluice_pipeline_records_in_total{${SEL}}[$__rate_interval]))`,
      0,
      1,
    ),
    stat(
      'Delivered',
      'Records acknowledged by all destinations.',
      'rps',
      `sum(rate(sluice_output_records_out_total{${SEL}}[$__rate_interval]))`,
      4,
      1,
    ),
    stat(
      'Lost',
      'Records dropped for good (buffer full, rejected, corrupted buffer).',
      'rps',
      `sum(rate(sluice_records_dropped_total{${SEL}, ${LOST}}[$__rate_interval])) or vector(0)`,
      8,
      1,
    ),
    stat(
      'Buffered',
      'Bytes waiting in all output buffers.',
      'bytes',
      `sum(sluice_output_buffer_bytes{${SEL}})`,
      12,
      1,
    ),
    stat('Agents', 'Agents reporting metrics.', 'none', `count(sluice_config_info{${SEL}})`, 16, 1),
    stat(
      'Config versions',
      'Distinct configurations the agents run; more than 1 for long means a stuck rollout.',
      'none',
      `count(count by (hash) (sluice_config_info{${SEL}}))`,
      20,
      1,
    ),
    timeseries(
      'Delivery error ratio (SLO)',
      'Share of records each output lost, over 5 minutes and 1 hour (recording rules of the chart).',
      'percentunit',
      [
        { expr: `sluice:output_delivery_errors:ratio_rate5m{${O}}`, legendFormat: '{{output}} 5m' },
        { expr: `sluice:output_delivery_errors:ratio_rate1h{${O}}`, legendFormat: '{{output}} 1h' },
      ],
      { x: 0, y: 5, w: 24, h: 6 },
    ),
    row('Pipeline $pipeline', 11, 'pipeline'),
    timeseries(
      'Records',
      'Read, passed to outputs, truncated, malformed.',
      'rps',
      [
        { expr: `sum(rate(sluice_pipeline_records_in_total{${P}}[$__rate_interval]))`, legendFormat: 'in' },
        { expr: `sum(rate(sluice_pipeline_records_out_total{${P}}[$__rate_interval]))`, legendFormat: 'out' },
        {
          expr: `sum(rate(sluice_records_truncated_total{${P}}[$__rate_interval]))`,
          legendFormat: 'truncated',
        },
        {
          expr: `sum(rate(sluice_lines_malformed_total{${P}}[$__rate_interval]))`,
          legendFormat: 'malformed',
        },
      ],
      { x: 0, y: 12, w: 8, h: 7 },
    ),
    timeseries(
      'Bytes read',
      'Message bytes read.',
      'Bps',
      [
        {
          expr: `sum(rate(sluice_pipeline_bytes_in_total{${P}}[$__rate_interval]))`,
          legendFormat: 'bytes in',
        },
      ],
      { x: 8, y: 12, w: 8, h: 7 },
    ),
    timeseries(
      'Dropped by reason',
      'Records the pipeline dropped (filtered and throttled are intended).',
      'rps',
      [
        {
          expr: `sum by (reason) (rate(sluice_records_dropped_total{${P}}[$__rate_interval]))`,
          legendFormat: '{{reason}}',
        },
      ],
      { x: 16, y: 12, w: 8, h: 7 },
    ),
    timeseries(
      'Checkpoint lag',
      'Bytes written to the log files but not yet committed, per agent.',
      'bytes',
      [{ expr: `sum by (pod) (sluice_checkpoint_lag_bytes{${P}})`, legendFormat: '{{pod}}' }],
      { x: 0, y: 19, w: 24, h: 6 },
    ),
    row('Output $output', 25, 'output'),
    timeseries(
      'Records',
      'Entering the buffer, delivered, dead-lettered.',
      'rps',
      [
        { expr: `sum(rate(sluice_output_records_in_total{${O}}[$__rate_interval]))`, legendFormat: 'in' },
        {
          expr: `sum(rate(sluice_output_records_out_total{${O}}[$__rate_interval]))`,
          legendFormat: 'delivered',
        },
        {
          expr: `sum(rate(sluice_output_dead_lettered_total{${O}}[$__rate_interval]))`,
          legendFormat: 'dead-lettered',
        },
      ],
      { x: 0, y: 26, w: 8, h: 7 },
    ),
    timeseries(
      'Bytes delivered',
      'Bytes acknowledged by the destination.',
      'Bps',
      [
        {
          expr: `sum(rate(sluice_output_bytes_out_total{${O}}[$__rate_interval]))`,
          legendFormat: 'bytes out',
        },
      ],
      { x: 8, y: 26, w: 8, h: 7 },
    ),
    timeseries(
      'Retries and drops',
      'Retried requests, records dropped by reason, and connections rebuilt (reason secret: a Secret the output references changed).',
      'rps',
      [
        { expr: `sum(rate(sluice_output_retries_total{${O}}[$__rate_interval]))`, legendFormat: 'retries' },
        {
          expr: `sum by (code) (rate(sluice_output_errors_total{${O}}[$__rate_interval]))`,
          legendFormat: 'errors {{code}}',
        },
        {
          expr: `sum by (reason) (rate(sluice_records_dropped_total{${O}}[$__rate_interval]))`,
          legendFormat: 'dropped {{reason}}',
        },
        {
          expr: `sum by (output, reason) (rate(sluice_output_reconnects_total{${O}}[$__rate_interval]))`,
          legendFormat: 'reconnects {{output}} {{reason}}',
        },
      ],
      { x: 16, y: 26, w: 8, h: 7 },
    ),
    timeseries(
      'Buffer',
      'Bytes waiting in the buffer, per agent, bytes of damaged disk-buffer frames cut out on recovery, failed disk-buffer writes (ENOSPC…: retried; reading pauses or records drop per whenFull), and the node-wide buffer budget against what the outputs ask for: above it, buffers are scaled down (their capacity shown as scaled).',
      'bytes',
      [
        { expr: `sum by (pod) (sluice_output_buffer_bytes{${O}})`, legendFormat: '{{pod}}' },
        {
          expr: `max by (pod, type) (sluice_buffer_budget_bytes{${SEL}})`,
          legendFormat: 'budget {{type}} {{pod}}',
        },
        {
          expr: `max by (pod, type) (sluice_buffer_requested_bytes{${SEL}})`,
          legendFormat: 'requested {{type}} {{pod}}',
        },
        {
          expr: `sum by (pod) (sluice_output_buffer_max_bytes{${O}, scaled="true"})`,
          legendFormat: 'scaled {{pod}}',
        },
        {
          expr: `sum by (pod, reason) (increase(sluice_buffer_write_errors_total{${O}}[$__rate_interval]))`,
          legendFormat: 'write errors {{reason}} {{pod}}',
        },
        {
          expr: `sum by (pod) (increase(sluice_buffer_corrupted_bytes_total{${O}}[$__range]))`,
          legendFormat: 'corrupted {{pod}}',
        },
      ],
      { x: 0, y: 33, w: 24, h: 6 },
    ),
    row('Agents', 39),
    timeseries(
      'Open files',
      'Log files each agent holds open (and its peak, bounded by agent.maxOpenFiles), files it skips because their pod is annotated sluice.dev/exclude, and agents following files by polling because inotify failed (sluice_file_watch_active 0, failures counted).',
      'none',
      [
        { expr: `sum by (pod) (sluice_open_files{${SEL}})`, legendFormat: '{{pod}}' },
        { expr: `max by (pod) (sluice_open_files_peak{${SEL}})`, legendFormat: 'peak {{pod}}' },
        { expr: `sum by (pod) (sluice_excluded_files{${SEL}})`, legendFormat: 'excluded {{pod}}' },
        {
          expr: `count by (pod) (sluice_file_watch_active{${SEL}} == 0) or sum by (pod) (increase(sluice_file_watch_failures_total{${SEL}}[$__rate_interval]))`,
          legendFormat: 'polling only {{pod}}',
        },
      ],
      { x: 0, y: 40, w: 8, h: 7 },
    ),
    timeseries(
      'Rotations and truncations',
      'Files rotated (read to the end and released) or truncated in place, and bytes of released files never read (deleted before read to the end, a last line without a newline).',
      'ops',
      [
        {
          expr: `sum(rate(sluice_file_rotations_total{${SEL}}[$__rate_interval]))`,
          legendFormat: 'rotations',
        },
        {
          expr: `sum(rate(sluice_file_truncations_total{${SEL}}[$__rate_interval]))`,
          legendFormat: 'truncations',
        },
        {
          expr: `sum by (pipeline, reason) (increase(sluice_file_bytes_unread_total{${SEL}}[$__rate_interval]))`,
          legendFormat: 'unread bytes {{reason}} {{pipeline}}',
        },
      ],
      { x: 8, y: 40, w: 8, h: 7 },
    ),
    timeseries(
      'Config reloads',
      'Successful and rejected reloads, and checkpoint files an agent could not use at start (set aside as checkpoints.json.corrupt-<ms>; its files were re-read from their head).',
      'none',
      [
        {
          expr: `sum(increase(sluice_config_reloads_total{${SEL}}[$__rate_interval]))`,
          legendFormat: 'reloads',
        },
        {
          expr: `sum(increase(sluice_config_reload_failures_total{${SEL}}[$__rate_interval]))`,
          legendFormat: 'rejected',
        },
        {
          expr: `sum by (pod, reason) (increase(sluice_checkpoint_load_failures_total{${SEL}}[$__rate_interval]))`,
          legendFormat: 'checkpoints {{reason}} {{pod}}',
        },
      ],
      { x: 16, y: 40, w: 8, h: 7 },
    ),
    timeseries(
      'Metadata cache',
      'Pod metadata held for enrichment.',
      'bytes',
      [{ expr: `sum by (pod) (sluice_enrichment_cache_bytes{${SEL}})`, legendFormat: '{{pod}} bytes' }],
      { x: 0, y: 47, w: 8, h: 6 },
      {},
    ),
    timeseries(
      'Pods in the metadata cache',
      'Pods held per agent.',
      'none',
      [{ expr: `sum by (pod) (sluice_enrichment_cache_pods{${SEL}})`, legendFormat: '{{pod}}' }],
      { x: 8, y: 47, w: 8, h: 6 },
    ),
    timeseries(
      'sluice tap',
      'Open `sluice tap` streams, record copies sent to them and missed by slow readers (the pipelines lose nothing), and refused tap requests (unauthenticated, forbidden, busy).',
      'none',
      [
        { expr: `sum(sluice_tap_subscribers{${SEL}})`, legendFormat: 'streams' },
        {
          expr: `sum(rate(sluice_tap_records_sent_total{${SEL}}[$__rate_interval]))`,
          legendFormat: 'sent/s',
        },
        {
          expr: `sum(rate(sluice_tap_records_dropped_total{${SEL}}[$__rate_interval]))`,
          legendFormat: 'missed/s',
        },
        {
          expr: `sum by (outcome) (increase(sluice_tap_requests_total{${SEL},outcome!="ok"}[$__rate_interval]))`,
          legendFormat: 'refused {{outcome}}',
        },
      ],
      { x: 16, y: 47, w: 8, h: 6 },
    ),
    row('Operator', 53),
    stat(
      'Leader',
      'Replicas that hold the leader Lease (should be exactly 1).',
      'none',
      `sum(sluice_operator_leader{${SEL}})`,
      0,
      54,
    ),
    stat(
      'Queue depth',
      'Keys waiting in the work queue of the leader.',
      'none',
      `max(sluice_operator_queue_depth{${SEL}})`,
      4,
      54,
    ),
    timeseries(
      'Pipelines by state',
      'Pipelines the operator knows, by state.',
      'none',
      [{ expr: `max by (state) (sluice_operator_pipelines{${SEL}})`, legendFormat: '{{state}}' }],
      { x: 8, y: 54, w: 8, h: 7 },
    ),
    timeseries(
      'Reconciles',
      'Reconcile p95 duration by kind, and errors by reason.',
      's',
      [
        {
          expr: `histogram_quantile(0.95, sum by (le, kind) (rate(sluice_operator_reconcile_duration_seconds_bucket{${SEL}}[$__rate_interval])))`,
          legendFormat: 'p95 {{kind}}',
        },
        {
          expr: `sum by (reason) (rate(sluice_operator_reconcile_errors_total{${SEL}}[$__rate_interval]))`,
          legendFormat: 'errors {{reason}}',
        },
      ],
      { x: 16, y: 54, w: 8, h: 7 },
    ),
    timeseries(
      'API server writes',
      'Writes of the operator by verb and resource (idle clusters should see none).',
      'ops',
      [
        {
          expr: `sum by (verb, resource) (rate(sluice_operator_apiserver_writes_total{${SEL}}[$__rate_interval]))`,
          legendFormat: '{{verb}} {{resource}}',
        },
      ],
      { x: 0, y: 61, w: 24, h: 6 },
    ),
  ];
  return {
    uid: 'sluice-overview',
    title: 'Sluice',
    description: 'Sluice log pipelines: per-pipeline and per-output delivery, buffers, lag and agent health.',
    tags: ['sluice', 'logging'],
    editable: true,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    timezone: 'browser',
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {} },
        variable('namespace', 'Agent namespace', 'label_values(sluice_config_info, namespace)', false),
        variable(
          'pipeline',
          'Pipeline',
          'label_values(sluice_pipeline_records_in_total{namespace=~"$namespace"}, pipeline)',
          true,
        ),
        variable(
          'output',
          'Output',
          'label_values(sluice_output_records_in_total{namespace=~"$namespace"}, output)',
          true,
        ),
      ],
    },
    annotations: { list: [] },
    panels,
  };
}
