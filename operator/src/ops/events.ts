// Kubernetes Events (core/v1) for notable transitions: a resource accepted or rejected, a
// pipeline becoming Ready or not, the agent config rolled out. Emitted only on transitions, so
// they cost no writes in a steady world; a failure to emit is logged, never fatal.
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { collectionPath, RT } from '../kube/resources.ts';

export interface EventSink {
  emit(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export function makeEventSink(
  client: KubeClient,
  component: string,
  log: (level: 'warn', msg: string, extra?: object) => void,
): EventSink {
  return {
    emit(obj, type, reason, message) {
      // Events of cluster-scoped objects live in `default`, as client-go's recorder puts them (the
      // apiserver refuses any other namespace for an involvedObject without one).
      const ns = obj.metadata.namespace ?? 'default';
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const body = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: `${obj.metadata.name}.`, namespace: ns },
        involvedObject: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: obj.metadata.name,
          namespace: obj.metadata.namespace,
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component },
        reportingComponent: component,
        reportingInstance: process.env.POD_NAME ?? component,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      client.write('POST', collectionPath(RT.Event, ns), { body }, 'create').catch((e: Error) => {
        log('warn', 'cannot record an event', { err: e.message, reason });
      });
    },
  };
}
