// The per-container context of a file: what its path tells, enriched from the metadata store.
// The `"pipeline":"...","kubernetes":{...}` fragment (record/serialize.ts) is serialized once per
// file and rebuilt only when the store changed, never per record. Field names are the API's record fields
// (operator/src/api/fields.ts RECORD_FIELDS): templates and conditions use exactly these.
import type { MetadataStore, PodMeta } from '../../enrich/store.ts';
import type { RecordSource } from '../../record/record.ts';
import { SOURCE_KEY, sourceFragment } from '../../record/serialize.ts';
import type { PathMeta } from './path.ts';

export class ContainerSource implements RecordSource {
  readonly meta: PathMeta;
  readonly namespace: string;
  readonly pod: string;
  readonly podKey: string;
  readonly pipeline: string;
  private readonly store: MetadataStore | undefined;
  private readonly nodeName: string | undefined;
  private version = -1;
  private frag = '';
  private fragBuf: Buffer = Buffer.alloc(0);
  private obj: Record<string, unknown> = {};

  constructor(
    meta: PathMeta,
    store: MetadataStore | undefined,
    nodeName: string | undefined,
    pipeline: string,
  ) {
    this.meta = meta;
    this.namespace = meta.namespace;
    this.pod = meta.pod;
    this.podKey = `${meta.namespace}/${meta.pod}`;
    this.store = store;
    this.nodeName = nodeName;
    this.pipeline = pipeline;
  }

  podMeta(): PodMeta | undefined {
    return this.store?.pod(this.meta.uid);
  }

  labels(): Record<string, string> | undefined {
    return this.podMeta()?.labels;
  }

  kubernetes(): Record<string, unknown> {
    this.refresh();
    return this.obj;
  }

  fragment(): string {
    if (this.store !== undefined && this.store.version !== this.version) this.refresh();
    else if (this.version === -1) this.refresh();
    return this.frag;
  }

  fragmentBytes(): Buffer {
    this.fragment();
    return this.fragBuf;
  }

  private refresh(): void {
    const v = this.store?.version ?? 0;
    if (v === this.version) return;
    this.version = v;
    this.obj = kubernetesFields(this.meta, this.podMeta(), this.store, this.nodeName);
    this.frag = sourceFragment(this.pipeline, SOURCE_KEY.container, this.obj);
    this.fragBuf = Buffer.from(this.frag, 'utf8');
  }
}

/** The `kubernetes` object of a container's records; unknown values are left out. */
export function kubernetesFields(
  m: PathMeta,
  p: PodMeta | undefined,
  store: MetadataStore | undefined,
  nodeName: string | undefined,
): Record<string, unknown> {
  const o: Record<string, unknown> = { namespace: m.namespace, pod: m.pod };
  const uid = p?.uid ?? m.uid;
  if (uid !== '') o.podUid = uid;
  o.container = m.container;
  const node = p?.node ?? nodeName;
  if (node !== undefined) o.node = node;
  const image = p?.images[m.container];
  if (image !== undefined) o.image = image;
  if (p?.owner !== undefined) {
    o.workload = p.owner.name;
    o.workloadKind = p.owner.kind;
  }
  if (p !== undefined) {
    o.labels = p.labels;
    o.annotations = p.annotations;
  }
  const ns = store?.namespace(m.namespace);
  if (ns !== undefined) o.namespaceLabels = ns.labels;
  return o;
}
