// Pieces several destinations share: the batch block, the template help text, URL and batch
// checks, and the compilation of a batch and of secret references.
import type { BatchConfig } from '../../../contract/agent-config/types.ts';
import { duration, int, obj, quantity, type Schema } from '../api/dsl.ts';
import { formatBytes, formatDuration } from '../api/units.ts';
import { bytes, drop, ms } from '../compile/values.ts';
import { checkDuration, checkQuantity } from '../validate/checks.ts';
import { type Problem, problem } from '../validate/problem.ts';

export const TEMPLATE_HELP =
  'Placeholders: `{{ kubernetes.namespace }}`, `{{ kubernetes.pod }}`, `{{ kubernetes.container }}`, `{{ kubernetes.node }}`, `{{ kubernetes.workload }}`, `{{ kubernetes.labels.KEY }}`, `{{ kubernetes.annotations.KEY }}`, `{{ pipeline }}`, `{{ stream }}`, and UTC dates `%Y` `%m` `%d` `%H`. A ClusterLogOutput serves LogPipelines only when its placeholders are `kubernetes.namespace`, `kubernetes.node`, `stream` or fields listed in `spec.allowedNamespaces.routingFields`.';

/** A URL's host and port (the scheme's default when none), or none when it does not parse. */
export function urlHost(url: string, path: string): { path: string; host: string; port: number }[] {
  try {
    const u = new URL(url);
    const port = u.port !== '' ? Number(u.port) : u.protocol === 'http:' ? 80 : 443;
    return [{ path, host: u.hostname.replace(/^\[|\]$/g, ''), port }];
  } catch {
    return [];
  }
}

/** The batch block, its defaults those the destination's sink uses (destinations/X/batch.ts). */
export const batchSchema = (d: Required<BatchConfig>): Schema =>
  obj('When a batch is sent: whichever limit is reached first.', {
    maxBytes: quantity('Largest batch in bytes (before compression).', { default: formatBytes(d.maxBytes) }),
    maxRecords: int('Most records in a batch.', { minimum: 1, maximum: 1_000_000, default: d.maxRecords }),
    maxAge: duration('Longest a record waits for its batch to fill, counted from its arrival.', {
      default: formatDuration(d.maxAgeMs),
    }),
  });

interface BatchBlock {
  maxBytes?: string;
  maxRecords?: number;
  maxAge?: string;
}

/** Bounds of a destination's batch: bytes and age. */
export function checkBatch(
  at: string,
  batch: BatchBlock | undefined,
  bytes: { min?: number; max: number },
  age: { minMs?: number; maxMs: number },
): Problem[] {
  return [
    ...checkQuantity(`${at}.batch.maxBytes`, batch?.maxBytes, bytes),
    ...checkDuration(`${at}.batch.maxAge`, batch?.maxAge, age),
  ];
}

export function checkUrl(path: string, url: string | undefined): Problem[] {
  if (url === undefined) return [];
  try {
    new URL(url);
    return [];
  } catch {
    return [problem(path, `"${url}" is not a URL`, 'use http(s)://host:port')];
  }
}

export function compileBatch(batch: BatchBlock | undefined): BatchConfig | undefined {
  return batch
    ? drop({ maxRecords: batch.maxRecords, maxBytes: bytes(batch.maxBytes), maxAgeMs: ms(batch.maxAge) })
    : undefined;
}
