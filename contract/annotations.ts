// Pod annotations users set and the agent honours.

/**
 * `sluice.dev/exclude: "true"` on a pod: its namespace's LogPipelines, and ClusterLogPipelines that
 * opted in (`input.honorExcludeAnnotation`), skip its logs (skipped files are counted).
 */
export const EXCLUDE_ANNOTATION = 'sluice.dev/exclude';
