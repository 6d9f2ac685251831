// Status bodies from what the operator decided and what the agents report. Pure: the caller
// passes the clock. A condition keeps its lastTransitionTime while its status does not change.
import { CONDITION, REASON } from '../api/conditions.ts';
import type { OutputState, PipelineState } from '../state.ts';
import type { OutputFigures } from './agents.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** Errors younger than this make an output "failing". */
export const ERROR_WINDOW_MS = 120_000;

type C = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

function withTimes(
  conds: C[],
  generation: number,
  previous: Condition[] | undefined,
  now: string,
): Condition[] {
  return conds.map((c) => {
    const prev = previous?.find((p) => p.type === c.type);
    return {
      ...c,
      observedGeneration: generation,
      lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now,
    };
  });
}

function summary(conds: C[], notAccepted: string): C {
  const failing = conds.find((c) => c.status !== 'True');
  if (!failing)
    return {
      type: CONDITION.Ready,
      status: 'True',
      reason: REASON.Ready,
      message: 'Accepted, every agent runs it, and records flow.',
    };
  if (failing.type === CONDITION.Accepted)
    return {
      type: CONDITION.Ready,
      status: 'False',
      reason: REASON.NotAccepted,
      message: `${notAccepted}${failing.message}`,
    };
  return { type: CONDITION.Ready, status: failing.status, reason: failing.reason, message: failing.message };
}

export interface AgentCounts {
  desired: number;
  ready: number;
  /** Agent pods that cannot start or keep failing, in words (agent-pods.ts). */
  problems?: string[];
}

const recentError = (f: OutputFigures | undefined, now: number) =>
  f?.lastErrorTime !== undefined && now - Date.parse(f.lastErrorTime) < ERROR_WINDOW_MS;

const sum = (r: Record<string, number> | undefined) => Object.values(r ?? {}).reduce((a, b) => a + b, 0);

export interface PipelineStatusInput {
  generation: number;
  previous?: {
    conditions?: Condition[];
    outputs?: Array<{ name: string; kind: string; dropped?: Record<string, number> }>;
    droppedByCaps?: Record<string, number>;
  };
  state: PipelineState;
  agents: AgentCounts;
  configured: number;
  figures: Map<string, OutputFigures>;
  /** Bytes of this pipeline's files never read, by reason (agents' reports). */
  unreadBytes?: Record<string, number>;
  /** Records the agents dropped by the namespace's tenancy caps, by reason (agents' reports). */
  droppedByCaps?: Record<string, number>;
  now: number;
}

function outputName(id: string): { name: string; kind: string } {
  const parts = id.split('/');
  return { kind: parts[0]!, name: parts[parts.length - 1]! };
}

export function pipelineStatus(i: PipelineStatusInput): Record<string, unknown> {
  const nowIso = new Date(i.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const st = i.state;
  const conds: C[] = [];
  const kept = st.kept ? ' Agents keep running its last good config until the spec is fixed.' : '';
  conds.push(
    st.accepted
      ? {
          type: CONDITION.Accepted,
          status: 'True',
          reason: REASON.Accepted,
          message: `The spec is valid and every reference resolves.${st.note ? ` Note: ${st.note}.` : ''}`,
        }
      : {
          type: CONDITION.Accepted,
          status: 'False',
          reason: st.rejection!.reason,
          message: `${st.rejection!.message}.${kept}`.replace('..', '.'),
        },
  );
  const running = st.accepted || st.kept;
  const { desired, ready } = i.agents;
  if (st.paused)
    conds.push({
      type: CONDITION.AgentsReady,
      status: 'True',
      reason: REASON.Paused,
      message: 'The pipeline is paused; no agent runs it.',
    });
  else if (!running)
    conds.push({
      type: CONDITION.AgentsReady,
      status: 'False',
      reason: REASON.NotAccepted,
      message: 'No agent runs this pipeline until it is accepted.',
    });
  else if (desired === 0)
    conds.push({
      type: CONDITION.AgentsReady,
      status: 'False',
      reason: REASON.NoAgents,
      message: 'No agent pod is scheduled: check the DaemonSet, its node selector and tolerations.',
    });
  else if (ready < desired && i.agents.problems?.length)
    // Before the rollout check: agents that cannot start will never load the config.
    conds.push({
      type: CONDITION.AgentsReady,
      status: 'False',
      reason: REASON.AgentsNotReady,
      message: `${ready}/${desired} agent pods are ready: ${i.agents.problems.join('; ')}.`,
    });
  else if (i.configured < desired)
    conds.push({
      type: CONDITION.AgentsReady,
      status: 'False',
      reason: REASON.RolloutInProgress,
      message: `${i.configured}/${desired} agents run this generation's config; the others reload it within seconds (check agent logs if this persists).`,
    });
  else if (ready < desired)
    conds.push({
      type: CONDITION.AgentsReady,
      status: 'False',
      reason: REASON.AgentsNotReady,
      message: `${ready}/${desired} agent pods are ready: check the DaemonSet's pods.`,
    });
  else
    conds.push({
      type: CONDITION.AgentsReady,
      status: 'True',
      reason: REASON.AgentsConfigured,
      message: `All ${desired} agents run this generation's config.`,
    });

  const outputs = st.outputIds.map((id) => {
    const f = i.figures.get(id);
    const n = outputName(id);
    const o: Record<string, unknown> = {
      ...n,
      delivered: f?.delivered ?? 0,
      dropped: f?.dropped ?? {},
      bufferedBytes: f?.bufferedBytes ?? 0,
    };
    if (f?.lastError) {
      o.lastError = f.lastError;
      o.lastErrorTime = f.lastErrorTime!.replace(/\.\d+Z$/, 'Z');
    }
    return o;
  });
  const failing = st.outputIds.filter((id) => recentError(i.figures.get(id), i.now));
  const prevDropped = new Map(
    (i.previous?.outputs ?? []).map((o) => [`${o.kind}/${o.name}`, sum(o.dropped)]),
  );
  const droppedNow = st.outputIds.filter((id) => {
    const n = outputName(id);
    return sum(i.figures.get(id)?.dropped) > (prevDropped.get(`${n.kind}/${n.name}`) ?? 0);
  });
  const delivered = outputs.reduce((a, o) => a + (o.delivered as number), 0);
  const cappedNow = sum(i.droppedByCaps) - sum(i.previous?.droppedByCaps);
  if (st.paused)
    conds.push({
      type: CONDITION.Delivering,
      status: 'False',
      reason: REASON.Paused,
      message: 'The pipeline is paused; set spec.paused to false to resume.',
    });
  else if (!running)
    conds.push({
      type: CONDITION.Delivering,
      status: 'False',
      reason: REASON.NotAccepted,
      message: 'Nothing is delivered until the pipeline is accepted.',
    });
  else if (failing.length)
    conds.push({
      type: CONDITION.Delivering,
      status: 'False',
      reason: REASON.OutputFailing,
      message: `${failing.map((id) => `${id}: ${i.figures.get(id)!.lastError}`).join('; ')}; check the output's endpoint, credentials and the agent logs.`,
    });
  else if (cappedNow > 0)
    conds.push({
      type: CONDITION.Delivering,
      status: 'False',
      reason: REASON.RecordsDropped,
      message: `${cappedNow} records over the namespace's rate cap (the platform's tenancy cap maxRecordsPerSecond) were dropped recently; see status.droppedByCaps. Log less, drop noise with a filter, or ask the platform team to raise the cap.`,
    });
  else if (droppedNow.length)
    conds.push({
      type: CONDITION.Delivering,
      status: 'False',
      reason: REASON.RecordsDropped,
      message: `records were dropped recently by ${droppedNow.join(', ')}; see status.outputs[].dropped for the reasons.`,
    });
  else if (delivered === 0)
    conds.push({
      type: CONDITION.Delivering,
      status: 'True',
      reason: REASON.NoRecordsYet,
      message: 'Nothing failed; no record has been delivered yet.',
    });
  else
    conds.push({
      type: CONDITION.Delivering,
      status: 'True',
      reason: REASON.RecordsFlowing,
      message: 'Records are delivered and none were dropped recently.',
    });
  conds.push(summary(conds, 'Not accepted: '));

  return {
    observedGeneration: i.generation,
    conditions: withTimes(conds, i.generation, i.previous?.conditions, nowIso),
    ...(i.unreadBytes !== undefined && Object.keys(i.unreadBytes).length > 0
      ? { unreadBytes: i.unreadBytes }
      : {}),
    ...(i.droppedByCaps !== undefined && Object.keys(i.droppedByCaps).length > 0
      ? { droppedByCaps: i.droppedByCaps }
      : {}),
    agents: { desired, ready, configured: running ? i.configured : 0 },
    agentSummary: `${running ? i.configured : 0}/${desired}`,
    outputs,
    outputSummary: `${st.outputIds.length - failing.length}/${st.outputIds.length}`,
    delivered,
  };
}

export interface OutputStatusInput {
  generation: number;
  previous?: { conditions?: Condition[] };
  state: OutputState;
  figures?: OutputFigures;
  now: number;
}

export function outputStatus(i: OutputStatusInput): Record<string, unknown> {
  const nowIso = new Date(i.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conds: C[] = [];
  const rej = i.state.rejection;
  conds.push(
    rej
      ? { type: CONDITION.Accepted, status: 'False', reason: rej.reason, message: rej.message }
      : {
          type: CONDITION.Accepted,
          status: 'True',
          reason: REASON.Accepted,
          message: `The spec is valid and every referenced Secret exists.${i.state.note ? ` Note: ${i.state.note}.` : ''}`,
        },
  );
  const f = i.figures;
  if (recentError(f, i.now))
    conds.push({
      type: CONDITION.Delivering,
      status: 'False',
      reason: REASON.OutputFailing,
      message: `${f!.lastError}; check the endpoint, credentials and the agent logs.`,
    });
  else if (f && f.delivered > 0)
    conds.push({
      type: CONDITION.Delivering,
      status: 'True',
      reason: REASON.RecordsFlowing,
      message: 'Records are delivered.',
    });
  else
    conds.push({
      type: CONDITION.Delivering,
      status: 'True',
      reason: REASON.NoRecordsYet,
      message: 'Nothing failed; no record has been delivered yet.',
    });
  conds.push(summary(conds, 'Not accepted: '));
  const out: Record<string, unknown> = {
    observedGeneration: i.generation,
    conditions: withTimes(conds, i.generation, i.previous?.conditions, nowIso),
    type: i.state.type,
    pipelines: i.state.pipelines,
    delivered: f?.delivered ?? 0,
    dropped: f?.dropped ?? {},
    bufferedBytes: f?.bufferedBytes ?? 0,
  };
  if (f?.lastError) {
    out.lastError = f.lastError;
    out.lastErrorTime = f.lastErrorTime!.replace(/\.\d+Z$/, 'Z');
  }
  return out;
}

/** Conditions or counts changed (write now), versus figures only (write at a limited rate). */
export function statusDiff(
  live: Record<string, unknown> | undefined,
  want: Record<string, unknown>,
): 'same' | 'figures' | 'conditions' {
  if (live && deepEqual(live, want)) return 'same';
  const pick = (s: Record<string, unknown> | undefined) => ({
    observedGeneration: s?.observedGeneration,
    conditions: ((s?.conditions as C[]) ?? []).map((c) => [c.type, c.status, c.reason, c.message]),
    agents: s?.agents,
    outputSummary: s?.outputSummary,
    pipelines: s?.pipelines,
  });
  return deepEqual(pick(live), pick(want)) ? 'figures' : 'conditions';
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a))
    return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}
