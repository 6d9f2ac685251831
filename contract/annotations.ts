// Pod annotations users set and the agent honours.

/** `sluice.dev/exclude: "true"` on a pod: no pipeline reads its logs (skipped files are counted). */
export const EXCLUDE_ANNOTATION = 'sluice.dev/exclude';
