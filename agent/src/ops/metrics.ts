// The agent's Prometheus metrics, read from the hot-path counters in AgentStats at scrape time and
// written in the text exposition format (0.0.4) directly: prom-client (and the @opentelemetry/api
// it loads) cost ~4 MB of resident memory in the agent for what is a loop over these numbers.
import type { AgentStats } from './stats.ts';

type Labels = Record<string, string>;

/** What a metric's fill function adds to (prom-client's Counter.inc / Gauge.set, at scrape time). */
interface Samples {
  inc(labels: Labels | number, value?: number): void;
  set(labels: Labels | number, value?: number): void;
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  labelNames: string[];
  fill: (s: Samples) => void;
}

/** A scrape's text, and the metric names (the dashboard test reads them). */
export interface MetricsRegistry {
  readonly contentType: string;
  metrics(): Promise<string>;
  getMetricsAsArray(): { name: string; type: string }[];
}

const escapeHelp = (s: string) => s.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
const escapeValue = (s: string) => escapeHelp(s).replaceAll('"', '\\"');

function render(f: Family): string {
  const values = new Map<string, number>();
  // A metric without labels always has its one sample (0 until something counts).
  if (f.labelNames.length === 0) values.set('', 0);
  const key = (labels: Labels) => {
    const parts: string[] = [];
    for (const n of f.labelNames) if (labels[n] !== undefined) parts.push(`${n}="${escapeValue(labels[n])}"`);
    return parts.length === 0 ? '' : `{${parts.join(',')}}`;
  };
  const add = (accumulate: boolean) => (labels: Labels | number, value?: number) => {
    const k = typeof labels === 'number' ? '' : key(labels);
    const v = typeof labels === 'number' ? labels : (value ?? 1);
    values.set(k, accumulate ? (values.get(k) ?? 0) + v : v);
  };
  f.fill({ inc: add(true), set: add(false) });
  const lines = [`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`];
  for (const [k, v] of values) lines.push(`${f.name}${k} ${v}`);
  return lines.join('\n');
}

export function makeMetrics(stats: AgentStats): MetricsRegistry {
  const families: Family[] = [];
  const counter = (name: string, help: string, labelNames: string[], fill: (c: Samples) => void) =>
    families.push({ name, help, type: 'counter', labelNames, fill });
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Samples) => void) =>
    families.push({ name, help, type: 'gauge', labelNames, fill });
  counter('sluice_pipeline_records_in_total', 'Records read by a pipeline.', ['pipeline'], (c) => {
    for (const [id, s] of stats.pipelines) c.inc({ pipeline: id }, s.recordsIn);
  });
  counter('sluice_pipeline_bytes_in_total', 'Message bytes read by a pipeline.', ['pipeline'], (c) => {
    for (const [id, s] of stats.pipelines) c.inc({ pipeline: id }, s.bytesIn);
  });
  counter(
    'sluice_pipeline_records_out_total',
    'Records a pipeline passed to its outputs.',
    ['pipeline'],
    (c) => {
      for (const [id, s] of stats.pipelines) c.inc({ pipeline: id }, s.recordsOut);
    },
  );
  counter('sluice_records_truncated_total', 'Records cut at maxRecordBytes.', ['pipeline'], (c) => {
    for (const [id, s] of stats.pipelines) c.inc({ pipeline: id }, s.truncated);
  });
  counter('sluice_lines_malformed_total', 'Lines not in CRI/docker format, kept raw.', ['pipeline'], (c) => {
    for (const [id, s] of stats.pipelines) c.inc({ pipeline: id }, s.malformed);
  });
  counter(
    'sluice_records_dropped_total',
    'Records dropped, by reason.',
    ['pipeline', 'output', 'reason'],
    (c) => {
      for (const [id, s] of stats.pipelines)
        for (const [reason, n] of s.drops) c.inc({ pipeline: id, output: '', reason }, n);
      for (const [id, s] of stats.outputs)
        for (const [reason, n] of s.drops) c.inc({ pipeline: '', output: id, reason }, n);
    },
  );
  counter('sluice_output_records_in_total', 'Records entering an output buffer.', ['output'], (c) => {
    for (const [id, s] of stats.outputs) c.inc({ output: id }, s.recordsIn);
  });
  counter('sluice_output_records_out_total', 'Records acknowledged by the destination.', ['output'], (c) => {
    for (const [id, s] of stats.outputs) c.inc({ output: id }, s.recordsOut);
  });
  counter('sluice_output_bytes_out_total', 'Bytes acknowledged by the destination.', ['output'], (c) => {
    for (const [id, s] of stats.outputs) c.inc({ output: id }, s.bytesOut);
  });
  counter('sluice_output_retries_total', 'Requests retried.', ['output'], (c) => {
    for (const [id, s] of stats.outputs) c.inc({ output: id }, s.retries);
  });
  counter(
    'sluice_output_errors_total',
    'Failed deliveries by error code (SLUICE_ERR_SINK_AUTH, ..._UNAVAILABLE, ...).',
    ['output', 'code'],
    (c) => {
      for (const [id, s] of stats.outputs) for (const [code, n] of s.errors) c.inc({ output: id, code }, n);
    },
  );
  counter(
    'sluice_output_reconnects_total',
    'Connections an output rebuilt, by reason: secret (a Secret its options reference changed), error.',
    ['output', 'reason'],
    (c) => {
      for (const [id, s] of stats.outputs)
        for (const [reason, n] of s.reconnects) c.inc({ output: id, reason }, n);
    },
  );
  counter('sluice_output_dead_lettered_total', 'Records sent to the dead-letter output.', ['output'], (c) => {
    for (const [id, s] of stats.outputs) c.inc({ output: id }, s.deadLettered);
  });
  gauge('sluice_output_buffer_bytes', 'Bytes waiting in an output buffer.', ['output'], (g) => {
    for (const [id, s] of stats.outputs) g.set({ output: id }, s.bufferBytes);
  });
  gauge(
    'sluice_output_buffer_max_bytes',
    'Bytes an output buffer may hold: its maxSize, or less when scaled down to fit the node-wide budget (scaled="true").',
    ['output', 'scaled'],
    (g) => {
      for (const b of stats.bufferMax()) g.set({ output: b.output, scaled: String(b.scaled) }, b.bytes);
    },
  );
  gauge(
    'sluice_buffer_budget_bytes',
    'The node-wide budget of output buffers, by buffer type (absent: no budget).',
    ['type'],
    (g) => {
      for (const type of ['memory', 'disk'] as const) {
        const b = stats.bufferBudget[type].budget;
        if (b !== undefined) g.set({ type }, b);
      }
    },
  );
  gauge(
    'sluice_buffer_requested_bytes',
    'What the output buffers of this agent ask for together (maxSize or default), by buffer type; above sluice_buffer_budget_bytes they are scaled down.',
    ['type'],
    (g) => {
      for (const type of ['memory', 'disk'] as const) g.set({ type }, stats.bufferBudget[type].asked);
    },
  );
  counter(
    'sluice_buffer_corrupted_bytes_total',
    'Bytes of acknowledged records cut out of a damaged disk buffer at recovery.',
    ['output'],
    (c) => {
      for (const [id, s] of stats.outputs) c.inc({ output: id }, s.corruptedBytes);
    },
  );
  counter(
    'sluice_buffer_write_errors_total',
    'Failed disk-buffer writes by reason (no_space, quota, io, read_only, missing, other); retried with backoff.',
    ['output', 'reason'],
    (c) => {
      for (const [id, s] of stats.outputs)
        for (const [reason, n] of s.bufferWriteErrors) c.inc({ output: id, reason }, n);
    },
  );
  gauge(
    'sluice_excluded_files',
    'Container log files skipped because their pod is annotated sluice.dev/exclude: "true".',
    ['pipeline'],
    (g) => {
      for (const e of stats.excludedFiles()) g.set({ pipeline: e.pipeline }, e.files);
    },
  );
  gauge('sluice_checkpoint_lag_bytes', 'File size minus committed offset.', ['pipeline', 'path'], (g) => {
    for (const l of stats.lag()) g.set({ pipeline: l.pipeline, path: l.path }, l.bytes);
  });
  counter('sluice_file_rotations_total', 'Rotated or deleted files read to the end and released.', [], (c) =>
    c.inc(stats.rotations),
  );
  counter(
    'sluice_file_bytes_unread_total',
    'Bytes of followed log files never read, by reason: deleted (deleted before read to its end), incomplete_line (a released file ended without a newline).',
    ['pipeline', 'reason'],
    (c) => {
      for (const [id, s] of stats.pipelines)
        for (const [reason, n] of s.unreadBytes) c.inc({ pipeline: id, reason }, n);
    },
  );
  counter('sluice_file_truncations_total', 'Files truncated in place (copytruncate).', [], (c) =>
    c.inc(stats.truncations),
  );
  gauge('sluice_open_files', 'Log files open (bounded by agent.maxOpenFiles).', [], (g) =>
    g.set(stats.openFiles),
  );
  gauge('sluice_open_files_peak', 'Most log files open at once since start.', [], (g) =>
    g.set(stats.openFilesPeak),
  );
  gauge(
    'sluice_file_watch_active',
    '1 when log files are watched through inotify, 0 when polled only.',
    [],
    (g) => g.set(stats.watching() ? 1 : 0),
  );
  counter(
    'sluice_file_watch_failures_total',
    'inotify could not be set up or broke (e.g. ENOSPC: fs.inotify.max_user_watches); polling took over.',
    [],
    (c) => c.inc(stats.watchFailures),
  );
  counter(
    'sluice_checkpoint_load_failures_total',
    'checkpoints.json could not be used at start (reason corrupt: set aside as checkpoints.json.corrupt-<ms>; unreadable); files were re-read from their head.',
    ['reason'],
    (c) => {
      for (const [reason, n] of stats.checkpointLoadFailures) c.inc({ reason }, n);
    },
  );
  counter('sluice_config_reloads_total', 'Successful config reloads.', [], (c) => c.inc(stats.reloads));
  counter('sluice_config_reload_failures_total', 'Rejected config reloads.', [], (c) =>
    c.inc(stats.reloadFailures),
  );
  gauge('sluice_enrichment_cache_bytes', 'Approximate bytes of pod metadata held.', [], (g) =>
    g.set(stats.enrichmentBytes()),
  );
  gauge('sluice_enrichment_cache_pods', 'Pods held in the metadata cache.', [], (g) =>
    g.set(stats.enrichmentPods()),
  );
  gauge('sluice_config_info', 'The config hash this agent runs (value 1).', ['hash'], (g) => {
    if (stats.configHash !== '') g.set({ hash: stats.configHash }, 1);
  });
  gauge('sluice_tap_subscribers', '`sluice tap` streams open on this agent.', [], (g) =>
    g.set(stats.tap.subscribers),
  );
  counter(
    'sluice_tap_records_sent_total',
    'Record copies sent to `sluice tap` readers.',
    ['pipeline'],
    (c) => {
      for (const [id, n] of stats.tap.sent) c.inc({ pipeline: id }, n);
    },
  );
  counter(
    'sluice_tap_records_dropped_total',
    'Record copies a `sluice tap` reader missed (the pipeline itself lost nothing), by reason.',
    ['pipeline', 'reason'],
    (c) => {
      for (const [id, n] of stats.tap.dropped) c.inc({ pipeline: id, reason: 'slow_reader' }, n);
    },
  );
  counter(
    'sluice_tap_requests_total',
    'Tap requests by outcome (ok, unauthenticated, forbidden, not_found, bad_request, busy, error).',
    ['outcome'],
    (c) => {
      for (const [o, n] of stats.tap.requests) c.inc({ outcome: o }, n);
    },
  );
  return {
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    // prom-client's layout: a blank line between metrics.
    metrics: async () => `${families.map(render).join('\n\n')}\n`,
    getMetricsAsArray: () => families.map((f) => ({ name: f.name, type: f.type })),
  };
}
