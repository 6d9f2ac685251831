// Fixed catalogues: why a record was dropped (the `reason` label of sluice_records_dropped_total)
// and the agent's error codes. Nothing is ever dropped without one of these reasons.

export const DropReason = {
  /** A drop/keep filter decided so. */
  filtered: 'filtered',
  /** Over a throttle filter's rate. */
  throttled: 'throttled',
  /** Over the platform's records-per-second cap of the pipeline's namespace (namespaceRecordsPerSecond). */
  namespaceRateCap: 'namespace_rate_cap',
  /**
   * Output buffer full with whenFull: dropNewest, where the buffer was scaled down below its
   * maxSize to fit the agent's node-wide bufferBudget.
   */
  nodeBufferBudget: 'node_buffer_budget',
  /** Output buffer full with whenFull: dropNewest. */
  bufferFull: 'buffer_full',
  /** The destination rejected it as unrecoverable and no dead-letter output took it. */
  rejected: 'rejected',
  /** Lost in a corrupted or torn disk-buffer segment (counted at recovery). */
  bufferCorrupted: 'buffer_corrupted',
  /**
   * The disk buffer could not write it (ENOSPC, EIO…) through its retries, with whenFull:
   * dropNewest (with block, reading pauses instead and nothing is dropped).
   */
  bufferWriteFailed: 'buffer_write_failed',
  /** An empty physical line that carried no record. */
  emptyLine: 'empty_line',
  /** Pipeline or output removed by a reload before delivery (re-read from the checkpoint). */
  reloadCancelled: 'reload_cancelled',
  /** Shutdown deadline passed before delivery (re-read from the checkpoint on restart). */
  shutdown: 'shutdown',
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

/**
 * Why bytes of a followed log file were never read (the `reason` label of
 * sluice_file_bytes_unread_total). Bytes, not lines: the lines are gone with the file.
 */
export const UnreadReason = {
  /**
   * The file was deleted (or rotated away and deleted) while the agent held no descriptor for it
   * (parked for maxOpenFiles, or queued for a slot) before it read to its end: last known size
   * minus the read position.
   */
  deleted: 'deleted',
  /** A released file (rotated, read to its end) ended in a line without a newline. */
  incompleteLine: 'incomplete_line',
} as const;
export type UnreadReason = (typeof UnreadReason)[keyof typeof UnreadReason];

export const ErrorCode = {
  configInvalid: 'SLUICE_ERR_CONFIG_INVALID',
  configRead: 'SLUICE_ERR_CONFIG_READ',
  checkpointWrite: 'SLUICE_ERR_CHECKPOINT_WRITE',
  /** checkpoints.json unusable at start: set aside, files re-read from their head (duplicates). */
  checkpointCorrupt: 'SLUICE_ERR_CHECKPOINT_CORRUPT',
  tailerRead: 'SLUICE_ERR_TAILER_READ',
  /** inotify unavailable or exhausted (fs.inotify.max_user_watches): files are followed by polling. */
  fileWatch: 'SLUICE_ERR_FILE_WATCH',
  sinkSend: 'SLUICE_ERR_SINK_SEND',
  /** The destination refused the credentials: fix the referenced Secret; retried when it changes. */
  sinkAuth: 'SLUICE_ERR_SINK_AUTH',
  /** A credential Secret is missing, lacks the key, or is not readable by the agent. */
  sinkSecret: 'SLUICE_ERR_SINK_SECRET',
  /** The destination is unreachable or overloaded (retried). */
  sinkUnavailable: 'SLUICE_ERR_SINK_UNAVAILABLE',
  /** Records the destination rejects as unrecoverable (dead-lettered or dropped). */
  sinkRejected: 'SLUICE_ERR_SINK_REJECTED',
  bufferRecovery: 'SLUICE_ERR_BUFFER_RECOVERY',
  /** A disk-buffer write failed (ENOSPC, EIO…): retried with backoff; reading pauses or records drop per whenFull. */
  bufferWrite: 'SLUICE_ERR_BUFFER_WRITE',
  enrichment: 'SLUICE_ERR_ENRICHMENT',
  shutdownDeadline: 'SLUICE_ERR_SHUTDOWN_DEADLINE',
} as const;
