// What the operator decides from the cluster: the world it decides from, its decision for each
// pipeline and output, and the whole result. A module of its own so that the controller (which
// decides) and status/ (which reports the decision) both import it, status/ without reaching into
// the controller.
import type { AgentConfig } from '../../contract/agent-config/types.ts';
import type { Rejection } from './api/conditions.ts';
import type { KubeObject } from './kube/client.ts';
import type { ShardSet } from './render/shards.ts';

export interface WorldSnapshot {
  pipelines: KubeObject[];
  outputs: KubeObject[];
  namespaces: Map<string, Record<string, string>>;
  secrets: Map<string, Set<string>>;
  /** The config the agents run now (the live ConfigMaps, base and shards merged), for the last-good rule. */
  running?: AgentConfig;
  /**
   * Pipelines and outputs the previous decision of this operator accepted: with the running
   * config, they go before newer ones under the namespace caps (tenancy/enforce.ts).
   */
  accepted?: Set<string>;
  /** Owner of the shared objects (the operator's ClusterRole), when known. */
  anchor?: { apiVersion: string; kind: string; name: string; uid: string };
}

export interface PipelineState {
  accepted: boolean;
  rejection?: Rejection;
  /** Rejected but its last good config keeps running. */
  kept: boolean;
  paused: boolean;
  outputIds: string[];
  /** A namespace cap that changed what runs (a clamped record size), said in the Accepted message. */
  note?: string;
}

export interface OutputState {
  rejection?: Rejection;
  type: string;
  pipelines: number;
  /** The agents' node budget scales its buffer down (said in the Accepted message). */
  note?: string;
}

export interface Desired {
  /** The whole config the agents run, once they have loaded every shard. */
  config: AgentConfig;
  /** One hash over every shard's (combinedHash). */
  hash: string;
  /** The config as the ConfigMaps carry it: the base and one shard per namespace. */
  shards: ShardSet;
  objects: Record<string, unknown>[];
  pipelines: Map<string, PipelineState>;
  outputs: Map<string, OutputState>;
  /** Per pipeline, a fingerprint of what the agents run for it (its config and its outputs'). */
  fingerprints: Map<string, string>;
  /** Per pipeline and output id, a fingerprint of its block (each lives in the shard shardOf(id)). */
  items: Map<string, string>;
  /** Per pipeline, the items an agent must run for it: its own id and its outputs'. */
  needs: Map<string, string[]>;
}
