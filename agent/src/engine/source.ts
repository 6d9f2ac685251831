// The per-container context of a file: what its path tells, enriched from the metadata store.
// The `"kubernetes":{...}` fragment is serialized once per file and rebuilt only when the store
// changed, never per record.
import type { MetadataStore, PodMeta } from '../enrich/store.ts';
import type { PathMeta } from '../sources/kubernetes_logs/path.ts';
import type { RecordSource } from './record.ts';

export class ContainerSource implements RecordSource {
  readonly meta: PathMeta;
  readonly namespace: string;
  readonly pod: string;
  readonly podKey: string;
  private readonly store: MetadataStore | undefined;
  private readonly nodeName: string | undefined;
  private version = -1;
  private frag = '';
  private fragBuf: Buffer = Buffer.alloc(0);
  private obj: Record<string, unknown> = {};

  constructor(meta: PathMeta, store: MetadataStore | undefined, nodeName: string | undefined) {
    this.meta = meta;
    this.namespace = meta.namespace;
    this.pod = meta.pod;
    this.podKey = `${meta.namespace}/${meta.pod}`;
    this.store = store;
    this.nodeName = nodeName;
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
    const m = this.meta;
    const p = this.podMeta();
    const o: Record<string, unknown> = {
      pod_name: m.pod,
      pod_namespace: m.namespace,
      pod_uid: m.uid,
      container_name: m.container,
    };
    const image = p?.images[m.container];
    if (image !== undefined) o.container_image = image;
    const node = p?.node ?? this.nodeName;
    if (node !== undefined) o.pod_node_name = node;
    if (p !== undefined) {
      o.pod_labels = p.labels;
      o.pod_annotations = p.annotations;
      if (p.owner !== undefined) o.pod_owner = `${p.owner.kind}/${p.owner.name}`;
    }
    const ns = this.store?.namespace(m.namespace);
    if (ns !== undefined) o.namespace_labels = ns.labels;
    this.obj = o;
    this.frag = `"kubernetes":${JSON.stringify(o)}`;
    this.fragBuf = Buffer.from(this.frag, 'utf8');
  }
}
