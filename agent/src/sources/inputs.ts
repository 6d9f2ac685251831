// A pipeline's file inputs (`input` of its config), as its collector (files/collector.ts) sees
// them: the container logs it selects (kubernetes_logs/select.ts), read as CRI/docker entries
// with the pod's context, and its host files, read as plain lines.
import { DEFAULTS } from '../config/defaults.ts';
import type { MetadataStore } from '../enrich/store.ts';
import type { Pipeline } from '../topology/pipeline.ts';
import type { FileSource } from './files/collector.ts';
import { HostFileReader } from './host_files/reader.ts';
import type { HostFile } from './host_files/scan.ts';
import { HostSource, nodePath } from './host_files/source.ts';
import { type PathMeta, parsePodLogPath } from './kubernetes_logs/path.ts';
import { ContainerReader } from './kubernetes_logs/reader.ts';
import type { ContainerFile } from './kubernetes_logs/scan.ts';
import { excludedBy, type SelfIdentity, selectFile, streamMask } from './kubernetes_logs/select.ts';
import { ContainerSource } from './kubernetes_logs/source.ts';

export type InputFile = ContainerFile | HostFile;

export interface InputContext {
  metadata: MetadataStore | undefined;
  nodeName: string | undefined;
  /** Where the node's filesystem is mounted (agent.hostRoot): host-file records name node paths. */
  hostRoot: string | undefined;
  self: SelfIdentity;
}

const NO_META: PathMeta = { namespace: '', pod: '', uid: '', container: '', restart: 0, active: true };

export function pipelineInputs(pipeline: Pipeline, ctx: InputContext): FileSource<InputFile> {
  const config = pipeline.config;
  return {
    select(f) {
      if ('host' in f) return 'read';
      const pod = ctx.metadata?.pod(f.meta.uid);
      if (excludedBy(config, pod)) return 'excluded';
      return selectFile(config, f.meta, pod, ctx.self) === 'yes' ? 'read' : 'skip';
    },
    reader(f, offset) {
      if ('host' in f) {
        const source = new HostSource(nodePath(f.path, ctx.hostRoot), ctx.nodeName, config.name);
        return new HostFileReader(pipeline, source, offset, pipeline.maxRecordBytes);
      }
      // The context comes from the file's own path: a /var/log/containers link whose target is
      // not under /var/log/pods is selected by its link name but enriched from nothing.
      const meta = parsePodLogPath(f.path) ?? { ...NO_META };
      const source = new ContainerSource(meta, ctx.metadata, ctx.nodeName, config.name);
      return new ContainerReader(pipeline, source, offset, {
        maxRecordBytes: pipeline.maxRecordBytes,
        multiline: config.parse?.multiline,
        streams: streamMask(config),
        mlFlushMs: config.parse?.multiline?.flushTimeoutMs ?? DEFAULTS.multilineFlushMs,
      });
    },
  };
}
