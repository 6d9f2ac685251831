// Sizes the agent assumes when the config leaves them out, shared with the operator, which counts
// them against the namespace caps (operator/src/tenancy/) and the node budget.
export const SIZE_DEFAULTS = {
  /** buffer.maxSize of a memory buffer. */
  memory: 4 * 1024 * 1024,
  /** buffer.maxSize of a disk buffer. */
  disk: 1024 * 1024 * 1024,
  /** parse.maxRecordBytes. */
  maxRecordBytes: 1024 * 1024,
} as const;
