// Pod annotations users set and the agent honours.

/**
 * `sluice.dev/exclude: "true"` on a pod: its namespace's LogPipelines, and ClusterLogPipelines that
 * opted in (`input.honorExcludeAnnotation`), skip its logs (skipped files are counted).
 */
export const EXCLUDE_ANNOTATION = 'sluice.dev/exclude';

/**
 * A namespace label only the platform sets (namespace editors cannot label their namespace, as for
 * Pod Security Admission): `sluice.dev/agent-identity: allowed` lets the LogOutputs of the
 * namespace authenticate with the agent's own cloud identity (an S3 output without credentials,
 * OpenSearch awsSigV4). Without it they must bring credentials from a Secret of their namespace.
 */
export const AGENT_IDENTITY_LABEL = 'sluice.dev/agent-identity';
export const AGENT_IDENTITY_ALLOWED = 'allowed';
