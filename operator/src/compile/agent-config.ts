// Accepted pipelines and their outputs → the agent's config (agent/src/config). Byte sizes and
// durations become numbers, secret references become qualified references (never values),
// and a namespaced pipeline is pinned to its own namespace.
import type {
  AgentConfig,
  AgentSettings,
  Condition,
  FilterConfig,
  OutputConfig,
  PipelineConfig,
  PipelineInput,
} from '../../../contract/agent-config/types.ts';
import type { LogPipelineSpec } from '../api/types.generated.ts';
import { DESTINATION_APIS, type DestinationType, destinationOf } from '../destinations/index.ts';
import type { CompileContext, Compiled } from '../destinations/types.ts';
import { INPUT_APIS, INPUT_TYPES } from '../inputs/index.ts';
import type { CapsDecision, PipelineCaps } from '../tenancy/enforce.ts';
import { type Output, type Pipeline, resourceId } from './ids.ts';
import type { Resolution } from './resolve.ts';
import { bytes, drop, ms } from './values.ts';

export interface CompileOptions {
  /** Agent settings to embed (data dir, ports...). */
  agent?: AgentSettings;
  /** Namespace labels by name, to resolve ClusterLogPipeline namespace selectors. */
  namespaces?: Map<string, Record<string, string>>;
  /** Reuse of compiled blocks between calls (the operator's incremental compile). */
  memo?: CompileMemo;
  /** The namespace caps that change compiled blocks (operator/src/tenancy/enforce.ts). */
  caps?: Pick<CapsDecision, 'fittedBuffers' | 'pipelineCaps'>;
}

/** Returns the cached block when `key` matches what it was computed for, else runs. */
export interface CompileMemo {
  pipeline(p: Pipeline, key: string, run: () => PipelineConfig): PipelineConfig;
  output(o: Output, key: string, run: () => OutputConfig): OutputConfig;
}

/** The same order as `a.localeCompare(b)`, without its per-call setup (thousands of ids). */
export const byLocale = new Intl.Collator().compare;

type Filter = NonNullable<LogPipelineSpec['filters']>[number];
type When = NonNullable<Filter['drop']>['when'];

function condition(w: When): Condition {
  if (w.notIn !== undefined) return { not: { field: w.field, in: w.notIn } };
  return drop({ field: w.field, equals: w.equals, in: w.in, matches: w.matches, exists: w.exists });
}

function filterConfig(f: Filter): FilterConfig {
  if (f.drop) return { drop: { when: condition(f.drop.when) } };
  if (f.keep) return { keep: { when: condition(f.keep.when) } };
  if (f.redact) return { redact: drop({ ...f.redact }) };
  if (f.add) return { add: { fields: f.add.fields } };
  if (f.remove) return { remove: { fields: f.remove.fields } };
  if (f.rename) return { rename: { fields: Object.fromEntries(f.rename.fields.map((r) => [r.from, r.to])) } };
  if (f.throttle)
    return {
      throttle: drop({
        recordsPerSecond: f.throttle.recordsPerSecond,
        per: f.throttle.per ?? 'pod',
        burst: f.throttle.burst,
      }),
    };
  throw new Error('validated filters have exactly one type');
}

export function pipelineConfig(p: Pipeline, outputIds: string[], opts: CompileOptions): PipelineConfig {
  const spec = p.spec;
  const caps: PipelineCaps = opts.caps?.pipelineCaps.get(resourceId(p)) ?? {};
  const ctx = { namespaces: opts.namespaces };
  const input: PipelineInput = Object.assign({}, ...INPUT_TYPES.map((t) => INPUT_APIS[t].compile(p, ctx)));
  const parse = spec.parse ?? {};
  const ml = parse.multiline;
  return drop({
    id: resourceId(p),
    kind: p.kind,
    name: p.metadata.name,
    namespace: p.kind === 'LogPipeline' ? p.metadata.namespace : undefined,
    input,
    parse: drop({
      format: parse.format,
      pattern: parse.regex,
      maxRecordBytes: caps.maxRecordBytes ?? bytes(parse.maxRecordSize),
      multiline: ml
        ? drop({
            preset: ml.type,
            start: ml.startPattern,
            continue: ml.continuePattern,
            flushTimeoutMs: ms(ml.flushTimeout),
          })
        : undefined,
    }),
    filters: spec.filters?.length ? spec.filters.map(filterConfig) : undefined,
    namespaceRecordsPerSecond: caps.recordsPerSecond,
    outputs: outputIds,
  });
}

/** `fittedBuffer`: buffer bytes when spec.buffer.maxSize is unset and the namespace cap fits it. */
export function outputConfig(o: Output, dataDir: string, fittedBuffer?: number): OutputConfig {
  const ns = o.kind === 'LogOutput' ? o.metadata.namespace : undefined;
  const spec = o.spec;
  const buffer = fittedBuffer === undefined ? spec.buffer : { ...spec.buffer, maxSize: String(fittedBuffer) };
  const base = drop({
    id: resourceId(o),
    kind: o.kind,
    name: o.metadata.name,
    namespace: ns,
    buffer: buffer
      ? drop({ type: buffer.type, maxSize: bytes(buffer.maxSize), whenFull: buffer.whenFull })
      : undefined,
    retry: spec.retry
      ? drop({ initialBackoffMs: ms(spec.retry.initialBackoff), maxBackoffMs: ms(spec.retry.maxBackoff) })
      : undefined,
    deadLetter: spec.deadLetter
      ? resourceId({
          kind: spec.deadLetter.kind ?? (ns ? 'LogOutput' : 'ClusterLogOutput'),
          metadata: { name: spec.deadLetter.name, namespace: ns },
        })
      : undefined,
  });
  const type = destinationOf(spec);
  if (type === undefined) throw new Error(`${resourceId(o)}: validated outputs have exactly one destination`);
  // The type is the block's key, so the block fits this destination's compile.
  const compile = DESTINATION_APIS[type].compile as (
    block: unknown,
    ctx: CompileContext,
  ) => Compiled<DestinationType>;
  const { options, batch } = compile(spec[type], { namespace: ns, dataDir });
  return drop({ ...base, type, options: options as Record<string, unknown>, batch });
}

/** The agent config for everything `resolution` accepted, in a stable order (the hash depends on it). */
export function agentConfig(resolution: Resolution, opts: CompileOptions = {}): AgentConfig {
  const dataDir = opts.agent?.dataDir ?? '/var/lib/sluice';
  const memo = opts.memo;
  // A ClusterLogPipeline's namespace list depends on every namespace's labels.
  let nsKey: string | undefined;
  const key = (p: Pipeline, outputIds: string[]) => {
    if (p.kind === 'LogPipeline') {
      const c = opts.caps?.pipelineCaps.get(resourceId(p));
      return c === undefined
        ? outputIds.join('\n')
        : `${outputIds.join('\n')}\n${c.maxRecordBytes}/${c.recordsPerSecond}`;
    }
    nsKey ??= JSON.stringify([...(opts.namespaces ?? new Map()).entries()]);
    return `${outputIds.join('\n')}\n${nsKey}`;
  };
  const pipelines = [...resolution.accepted.entries()]
    .sort(([a], [b]) => byLocale(a, b))
    .filter(([, v]) => !v.pipeline.spec.paused)
    .map(([, v]) =>
      memo
        ? memo.pipeline(v.pipeline, key(v.pipeline, v.outputIds), () =>
            pipelineConfig(v.pipeline, v.outputIds, opts),
          )
        : pipelineConfig(v.pipeline, v.outputIds, opts),
    );
  const used = new Set(pipelines.flatMap((p) => p.outputs));
  for (const [, v] of resolution.accepted)
    if (!v.pipeline.spec.paused) for (const id of v.deadLetters) used.add(id);
  const outputs = [...used].sort().map((id) => {
    const o = resolution.outputs.get(id)!.output;
    const fitted = opts.caps?.fittedBuffers.get(id);
    const run = () => outputConfig(o, dataDir, fitted);
    return memo ? memo.output(o, `${dataDir}\n${fitted}`, run) : run();
  });
  return drop({ apiVersion: 'agent.sluice.dev/v1' as const, agent: opts.agent, pipelines, outputs });
}
