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
  /** Each live agent ConfigMap's parsed config, by its name and compressed bytes. */
  private readonly running = new Map<string, { data: string; config: AgentConfig | undefined }>();
  /** Per shard key, the config this memo encoded last for its ConfigMap: its hash, bytes and the config itself. */
  private readonly last = new Map<string, { hash: string; data: string; config: AgentConfig }>();
  /** Per config block (pipeline or output), sha of its canonical JSON. */
  private readonly itemFps = new WeakMap<object, string>();
  /** Per shard key, the blocks its hash was computed from. */
  private readonly shardHashes = new Map<string, { agent: unknown; items: object[]; hash: string }>();
  /** Per shard key and hash, the applied-annotation hash of its rendered ConfigMap. */
  private readonly appliedShas = new Map<string, { hash: string; sha: string }>();
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

  /** The ConfigMap bytes of a shard's config, encoded again only when its hash changes. */
  encoded(key: string, hash: string, config: AgentConfig, encode: () => string): string {
    const l = this.last.get(key);
    if (l?.hash === hash) return l.data;
    const data = encode();
    this.last.set(key, { hash, data, config });
    return data;
  }

  /** Forget the shards no longer rendered. */
  retainShards(keys: Set<string>): void {
    for (const k of this.last.keys()) if (!keys.has(k)) this.last.delete(k);
    for (const k of this.appliedShas.keys()) if (!keys.has(k)) this.appliedShas.delete(k);
    for (const k of this.shardHashes.keys()) if (!keys.has(k)) this.shardHashes.delete(k);
  }

  /** The applied-annotation hash of a shard's ConfigMap, computed once per shard hash. */
  appliedSha(key: string, hash: string, run: () => string): string {
    const a = this.appliedShas.get(key);
    if (a?.hash === hash) return a.sha;
    const sha = run();
    this.appliedShas.set(key, { hash, sha });
    return sha;
  }

  /**
   * configHash of a shard's config, computed again only when one of its blocks is another object
   * (thousands of shards, of which a reconcile changes a few).
   */
  shardHash(key: string, c: AgentConfig): string {
    const items = [...c.pipelines, ...c.outputs];
    const m = this.shardHashes.get(key);
    if (
      m !== undefined &&
      m.agent === c.agent &&
      m.items.length === items.length &&
      m.items.every((x, i) => x === items[i])
    )
      return m.hash;
    const hash = this.configHash(c);
    this.shardHashes.set(key, { agent: c.agent, items, hash });
    return hash;
  }

  /** sha of a block's canonical JSON (reusing the canonical JSON configHash computed). */
  itemFingerprint(v: object): string {
    let fp = this.itemFps.get(v);
    if (fp === undefined) {
      fp = createHash('sha256').update(this.block(v)).digest('hex').slice(0, 16);
      this.itemFps.set(v, fp);
    }
    return fp;
  }

  private block(v: object): string {
    let s = this.canon.get(v);
    if (s === undefined) {
      s = canonical(v);
      this.canon.set(v, s);
    }
    return s;
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
    const block = (v: object) => this.block(v);
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
   * The config a live agent ConfigMap (`name`: the base or a shard, `key` its shard key) carries.
   * When it carries the bytes this memo encoded last for that shard (the usual case: the
   * operator's own apply), that config is returned instead of a second copy parsed from the JSON.
   */
  runningConfig(
    name: string,
    key: string,
    data: string | undefined,
    parse: () => AgentConfig | undefined,
  ): AgentConfig | undefined {
    if (data === undefined) return undefined;
    const l = this.last.get(key);
    if (l?.data === data) {
      this.running.delete(name);
      return l.config;
    }
    const r = this.running.get(name);
    if (r?.data === data) return r.config;
    const config = parse();
    this.running.set(name, { data, config });
    return config;
  }

  /** Forget live ConfigMaps that are gone. */
  retainRunning(names: Set<string>): void {
    for (const n of this.running.keys()) if (!names.has(n)) this.running.delete(n);
  }
}
