// What one world reconcile can reuse from the last: a resource's validation while its user-visible
// object (metadata name/namespace/labels and spec) is unchanged, a pipeline's or output's compiled
// block while its validated resource and the ids it reaches are unchanged, a pipeline's fingerprint
// while its block and its outputs' blocks are the same objects, and each block's canonical JSON for
// the config hash. With thousands of pipelines, one spec change then costs the changed pipeline's
// work plus linear joins, instead of validating and compiling everything again.
//
// Everything is keyed by value (the user object's JSON) or by the identity of objects this memo
// itself handed out, so a stale entry can never be returned for changed input. Entries of deleted
// resources are dropped by `retain`.
import { createHash } from 'node:crypto';
import { canonical } from '../../../contract/agent-config/hash.ts';
import type { AgentConfig, OutputConfig, PipelineConfig } from '../../../contract/agent-config/types.ts';
import type { Output, Pipeline } from '../compile/ids.ts';
import type { Outcome } from '../validate/index.ts';

export class DesiredMemo {
  private readonly validated = new Map<string, { key: string; outcome: Outcome }>();
  private readonly pipelines = new WeakMap<Pipeline, { key: string; config: PipelineConfig }>();
  private readonly outputs = new WeakMap<Output, { key: string; config: OutputConfig }>();
  private readonly fingerprints = new WeakMap<PipelineConfig, { outs: unknown[]; fp: string }>();
  private readonly canon = new WeakMap<object, string>();
  /** The live ConfigMap's parsed config, by its compressed bytes. */
  private running: { data: string; config: AgentConfig | undefined } | undefined;
  /** The last config this memo encoded for the ConfigMap: its hash, bytes and the config itself. */
  private last: { hash: string; data: string; config: AgentConfig } | undefined;
  /** Validation keys (the user object's JSON) by cached object: objects are replaced, never mutated. */
  private readonly userKeys = new WeakMap<object, string>();
  hits = 0;
  misses = 0;

  validate(id: string, key: string, run: () => Outcome): Outcome {
    const c = this.validated.get(id);
    if (c?.key === key) {
      this.hits++;
      return c.outcome;
    }
    this.misses++;
    const outcome = run();
    this.validated.set(id, { key, outcome });
    return outcome;
  }

  /** The validation key of a cached object, computed once per object version. */
  userKey(o: object, make: () => string): string {
    let k = this.userKeys.get(o);
    if (k === undefined) {
      k = make();
      this.userKeys.set(o, k);
    }
    return k;
  }

  /** The ConfigMap bytes of a config, encoded again only when its hash changes. */
  encoded(hash: string, config: AgentConfig, encode: () => string): string {
    if (this.last?.hash !== hash) this.last = { hash, data: encode(), config };
    return this.last.data;
  }

  /** Forget resources that no longer exist. */
  retain(ids: Set<string>): void {
    for (const id of this.validated.keys()) if (!ids.has(id)) this.validated.delete(id);
  }

  pipeline(p: Pipeline, key: string, run: () => PipelineConfig): PipelineConfig {
    const c = this.pipelines.get(p);
    if (c?.key === key) return c.config;
    const config = run();
    this.pipelines.set(p, { key, config });
    return config;
  }

  output(o: Output, key: string, run: () => OutputConfig): OutputConfig {
    const c = this.outputs.get(o);
    if (c?.key === key) return c.config;
    const config = run();
    this.outputs.set(o, { key, config });
    return config;
  }

  /** sha over [pipeline, its outputs], as long as they are the same objects. */
  fingerprint(p: PipelineConfig, outs: unknown[], run: () => string): string {
    const c = this.fingerprints.get(p);
    if (c && c.outs.length === outs.length && c.outs.every((o, i) => o === outs[i])) return c.fp;
    const fp = run();
    this.fingerprints.set(p, { outs, fp });
    return fp;
  }

  /** configHash(config), reusing the canonical JSON of pipeline and output blocks seen before. */
  configHash(config: AgentConfig): string {
    const block = (v: object) => {
      let s = this.canon.get(v);
      if (s === undefined) {
        s = canonical(v);
        this.canon.set(v, s);
      }
      return s;
    };
    const top = config as unknown as Record<string, unknown>;
    const keys = Object.keys(top)
      .filter((k) => top[k] !== undefined)
      .sort();
    const text = `{${keys
      .map((k) => {
        const v = top[k];
        const s =
          (k === 'pipelines' || k === 'outputs') && Array.isArray(v)
            ? `[${v.map((x) => (x !== null && typeof x === 'object' ? block(x) : canonical(x))).join(',')}]`
            : canonical(v);
        return `${JSON.stringify(k)}:${s}`;
      })
      .join(',')}}`;
    return createHash('sha256').update(text).digest('hex').slice(0, 16);
  }

  /**
   * The config the live ConfigMap carries. When it carries the bytes this memo encoded last (the
   * usual case: the operator's own apply), that config is returned instead of a second copy parsed
   * from megabytes of JSON.
   */
  runningConfig(data: string | undefined, parse: () => AgentConfig | undefined): AgentConfig | undefined {
    if (data === undefined) return undefined;
    if (this.last?.data === data) {
      this.running = undefined;
      return this.last.config;
    }
    if (this.running?.data !== data) this.running = { data, config: parse() };
    return this.running.config;
  }
}
