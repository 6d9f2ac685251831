// The fixed catalogue of condition types and reasons. Status, events, the Argo CD health check
// and the docs all read these names; a message always says what to do next.

export const CONDITION = {
  /** The spec is valid and every reference resolves. */
  Accepted: 'Accepted',
  /** Every agent runs a config that includes this generation. */
  AgentsReady: 'AgentsReady',
  /** Records flow and nothing was dropped recently. */
  Delivering: 'Delivering',
  /** The summary: Accepted, AgentsReady and Delivering are all True. */
  Ready: 'Ready',
} as const;
export type ConditionType = (typeof CONDITION)[keyof typeof CONDITION];

export const REASON = {
  // Accepted
  Accepted: 'Accepted',
  InvalidSpec: 'InvalidSpec',
  OutputNotFound: 'OutputNotFound',
  OutputNotAllowed: 'OutputNotAllowed',
  AgentIdentityNotAllowed: 'AgentIdentityNotAllowed',
  DestinationNotAllowed: 'DestinationNotAllowed',
  OutputInvalid: 'OutputInvalid',
  DeadLetterNotFound: 'DeadLetterNotFound',
  ReferencedSecretMissing: 'ReferencedSecretMissing',
  ReferencedSecretKeyMissing: 'ReferencedSecretKeyMissing',
  /** Beyond a per-namespace cap of the platform's tenancy policy (operator/src/tenancy/). */
  OverNamespaceCap: 'OverNamespaceCap',
  /**
   * The namespace's compiled pipelines and outputs do not fit in one ConfigMap (its config shard,
   * contract/agent-config/shards.ts): its change is not applied, its last good config keeps
   * running; other namespaces are not affected.
   */
  ConfigShardTooLarge: 'ConfigShardTooLarge',
  // AgentsReady
  AgentsConfigured: 'AgentsConfigured',
  RolloutInProgress: 'RolloutInProgress',
  NoAgents: 'NoAgents',
  AgentsNotReady: 'AgentsNotReady',
  // Delivering
  RecordsFlowing: 'RecordsFlowing',
  NoRecordsYet: 'NoRecordsYet',
  BufferFillingUp: 'BufferFillingUp',
  RecordsDropped: 'RecordsDropped',
  OutputFailing: 'OutputFailing',
  Paused: 'Paused',
  // Ready
  Ready: 'Ready',
  NotAccepted: 'NotAccepted',
} as const;
export type Reason = (typeof REASON)[keyof typeof REASON];

/** Why a resource is not accepted: the reason and a message that tells the user what to do. */
export interface Rejection {
  reason: Reason;
  message: string;
}
