// Kubernetes Events (core/v1) for notable transitions of a status's conditions: a resource
// accepted or rejected, a resource becoming Ready or not (emitTransitions). Emitted only on
// transitions, so they cost no writes in a steady world; a failure to emit is logged, never fatal.
import { CONDITION } from '../api/conditions.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { collectionPath, RT } from '../kube/resources.ts';
import type { Condition } from '../status/compute.ts';

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

/** The Events for a status written over another: `before` and `after` are their conditions. */
export function emitTransitions(
  events: EventSink,
  obj: KubeObject,
  before: Condition[],
  after: Condition[],
): void {
  const get = (l: Condition[], t: string) => l.find((c) => c.type === t);
  const a0 = get(before, CONDITION.Accepted);
  const a1 = get(after, CONDITION.Accepted)!;
  if (a1.status === 'False' && (a0?.status !== 'False' || a0.reason !== a1.reason))
    events.emit(obj, 'Warning', a1.reason, a1.message);
  else if (a1.status === 'True' && a0?.status === 'False') events.emit(obj, 'Normal', 'Accepted', a1.message);
  const r0 = get(before, CONDITION.Ready);
  const r1 = get(after, CONDITION.Ready)!;
  // Ready again after a not-Ready status was shown (a recovery). A new resource whose first
  // status is Ready gets no Event: at 5,000 pipelines that would be 5,000 creates saying what the
  // status already says.
  if (r1.status === 'True' && r0 !== undefined && r0.status !== 'True')
    events.emit(obj, 'Normal', 'Ready', r1.message);
  else if (r1.status !== 'True' && r0?.status === 'True' && a1.status === 'True')
    events.emit(obj, 'Warning', r1.reason, r1.message);
}
