// The context of a host file's records: its path on the node and the node's name, in a `host`
// object where container records have `kubernetes`. The fragment (record/serialize.ts) is
// serialized once per file.
import type { RecordSource } from '../../record/record.ts';
import { SOURCE_KEY, sourceFragment } from '../../record/serialize.ts';

export class HostSource implements RecordSource {
  readonly namespace = '';
  readonly pod = '';
  readonly podKey: string;
  readonly pipeline: string;
  private readonly frag: string;
  private readonly fragBuf: Buffer;
  private readonly obj: Record<string, unknown>;

  constructor(path: string, nodeName: string | undefined, pipeline: string) {
    this.podKey = `host:${path}`;
    this.pipeline = pipeline;
    this.obj = nodeName === undefined ? { path } : { path, node: nodeName };
    this.frag = sourceFragment(pipeline, SOURCE_KEY.host, this.obj);
    this.fragBuf = Buffer.from(this.frag, 'utf8');
  }
  fragment(): string {
    return this.frag;
  }
  fragmentBytes(): Buffer {
    return this.fragBuf;
  }
  labels(): undefined {
    return undefined;
  }
  kubernetes(): Record<string, unknown> {
    return {};
  }
  host(): Record<string, unknown> {
    return this.obj;
  }
}

/** The path as the node knows it: `/host/var/log/syslog` read under hostRoot `/host` is `/var/log/syslog`. */
export function nodePath(path: string, hostRoot = ''): string {
  return hostRoot !== '' && path.startsWith(`${hostRoot}/`) ? path.slice(hostRoot.length) : path;
}
