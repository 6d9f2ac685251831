// Why agent pods are not running, in words for a pipeline's status: "0/1 agent pods are ready"
// alone sends the on-call engineer to kubectl; the pod already says ErrImagePull, CrashLoopBackOff
// or Unschedulable, so the status repeats it.
import type { KubeObject } from '../kube/client.ts';

/** Waiting reasons that are just a pod starting, not a problem. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);
const MAX_PROBLEMS = 3;
const MAX_TEXT = 240;

interface PodStatus {
  phase?: string;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  containerStatuses?: {
    name: string;
    ready?: boolean;
    restartCount?: number;
    state?: { waiting?: { reason?: string; message?: string } };
  }[];
}

const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);

/** One line per agent pod that cannot start or keeps failing, at most three, most telling first. */
export function agentPodProblems(pods: Iterable<KubeObject>): string[] {
  const out: string[] = [];
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    const st = (p.status ?? {}) as PodStatus;
    const node = (p.spec as { nodeName?: string } | undefined)?.nodeName;
    const who = `${p.metadata.name}${node ? ` on ${node}` : ''}`;
    const unscheduled = st.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (unscheduled) {
      out.push(clip(`${who}: ${unscheduled.reason ?? 'not scheduled'}: ${unscheduled.message ?? ''}`.trim()));
      continue;
    }
    for (const c of st.containerStatuses ?? []) {
      const w = c.state?.waiting;
      if (c.ready || !w?.reason || STARTING.has(w.reason)) continue;
      const restarts = c.restartCount ? ` (${c.restartCount} restarts)` : '';
      out.push(clip(`${who}: ${w.reason}${restarts}${w.message ? `: ${w.message}` : ''}`));
    }
  }
  return out.sort().slice(0, MAX_PROBLEMS);
}
