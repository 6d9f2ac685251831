// The platform's per-namespace caps (chart values `tenancy`, passed to the operator in its
// settings): the defaults every namespace gets and overrides by namespace name or label selector.
// Only namespaced LogPipelines and LogOutputs are capped; Cluster* resources are the platform's.
// A cap left out is no cap. Quantities are parsed once, at start, so a typo stops the operator
// with a message instead of silently capping nothing.
import { matchesSelector, type SelectorLike } from '../../../contract/selector.ts';
import { parseQuantity } from '../api/units.ts';

/** Caps as the platform writes them (chart values): byte sizes as quantities or integers. */
export interface CapsSpec {
  maxPipelines?: number | null;
  maxOutputs?: number | null;
  /** Memory-buffer bytes all LogOutputs of the namespace may hold together, per agent. */
  maxBufferBytes?: string | number | null;
  /** Disk-buffer bytes all LogOutputs of the namespace may hold together, per agent. */
  maxDiskBufferBytes?: string | number | null;
  /** Longest record a LogPipeline of the namespace keeps; longer ones are truncated and counted. */
  maxRecordBytes?: string | number | null;
  /** Records per second all LogPipelines of the namespace may process together, per agent. */
  maxRecordsPerSecond?: number | null;
  /** Hosts its LogOutputs may send to (destinations.ts); absent or empty: any. */
  allowedDestinations?: string[] | null;
}

export interface NamespaceOverride extends CapsSpec {
  /** Namespaces by name. */
  namespaces?: string[];
  /** Namespaces by label (`kubernetes.io/metadata.name` included). */
  selector?: SelectorLike;
}

export interface TenancyPolicy {
  defaults?: CapsSpec;
  /**
   * The first override that matches a namespace replaces the defaults it sets, field by field;
   * a cap set to null there lifts the default's.
   */
  namespaces?: NamespaceOverride[];
}

/** Caps of one namespace, in numbers. */
export interface Caps {
  maxPipelines?: number;
  maxOutputs?: number;
  maxBufferBytes?: number;
  maxDiskBufferBytes?: number;
  maxRecordBytes?: number;
  maxRecordsPerSecond?: number;
  allowedDestinations?: string[];
}
export type CapName = Exclude<keyof Caps, 'allowedDestinations'>;

const CAP_NAMES: readonly CapName[] = [
  'maxPipelines',
  'maxOutputs',
  'maxBufferBytes',
  'maxDiskBufferBytes',
  'maxRecordBytes',
  'maxRecordsPerSecond',
];
const BYTE_CAPS = new Set<CapName>(['maxBufferBytes', 'maxDiskBufferBytes', 'maxRecordBytes']);

function parseCaps(spec: CapsSpec | undefined, where: string): Caps {
  const out: Caps = {};
  for (const name of CAP_NAMES) {
    const v = spec?.[name];
    if (v === undefined || v === null) continue;
    const n = typeof v === 'number' ? v : BYTE_CAPS.has(name) ? parseQuantity(String(v)) : Number.NaN;
    if (n === undefined || !Number.isInteger(n) || n < 0)
      throw new Error(
        `${where}.${name}: "${v}" is not ${BYTE_CAPS.has(name) ? 'a byte quantity such as 64Mi' : 'a whole number'} >= 0`,
      );
    if (name === 'maxRecordBytes' && n < 1024)
      throw new Error(
        `${where}.maxRecordBytes: "${v}" is below 1Ki, the smallest record size the agent takes`,
      );
    out[name] = n;
  }
  const hosts = spec?.allowedDestinations;
  if (hosts !== undefined && hosts !== null && hosts.length > 0) {
    for (const h of hosts)
      if (typeof h !== 'string' || !HOST_PATTERN.test(h))
        throw new Error(`${where}.allowedDestinations: "${h}" is not a host, host:port or *.domain[:port]`);
    out.allowedDestinations = [...hosts];
  }
  return out;
}

/** An allowed destination: `host`, `host:port`, `*.domain`, `*.domain:port`. */
const HOST_PATTERN = /^(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;

/** The policy in numbers, ready to ask per namespace. */
export interface CompiledPolicy {
  /** Caps of `namespace` with these labels; `{}` when nothing caps it. */
  capsFor(namespace: string, labels: Record<string, string> | undefined): Caps;
  /** Whether any cap is set at all (no policy: the operator does no tenancy work). */
  readonly active: boolean;
}

const compiled = new WeakMap<TenancyPolicy, CompiledPolicy>();
const NONE = compilePolicy(undefined);

/** compilePolicy, once per settings object (the operator's settings never change while it runs). */
export function policyOf(p: TenancyPolicy | undefined): CompiledPolicy {
  if (p === undefined) return NONE;
  let c = compiled.get(p);
  if (c === undefined) {
    c = compilePolicy(p);
    compiled.set(p, c);
  }
  return c;
}

export function compilePolicy(p: TenancyPolicy | undefined): CompiledPolicy {
  const defaults = parseCaps(p?.defaults, 'tenancy.defaults');
  const overrides = (p?.namespaces ?? []).map((o, i) => {
    if (!o.namespaces?.length && !o.selector)
      throw new Error(`tenancy.namespaces[${i}]: set namespaces or selector (which namespaces it caps)`);
    // null in an override lifts that cap of the defaults for the namespaces it matches
    const lifted: (keyof Caps)[] = [...CAP_NAMES, 'allowedDestinations'].filter(
      (n) => Object.hasOwn(o, n) && o[n as keyof CapsSpec] === null,
    ) as (keyof Caps)[];
    return {
      names: new Set(o.namespaces ?? []),
      selector: o.selector,
      caps: parseCaps(o, `tenancy.namespaces[${i}]`),
      lifted,
    };
  });
  const active = Object.keys(defaults).length > 0 || overrides.some((o) => Object.keys(o.caps).length > 0);
  return {
    active,
    capsFor(namespace, labels) {
      const o = overrides.find(
        (x) =>
          x.names.has(namespace) ||
          (x.selector !== undefined &&
            matchesSelector(x.selector, { ...(labels ?? {}), 'kubernetes.io/metadata.name': namespace })),
      );
      if (o === undefined) return defaults;
      const caps: Caps = { ...defaults, ...o.caps };
      for (const n of o.lifted) delete caps[n];
      return caps;
    },
  };
}
