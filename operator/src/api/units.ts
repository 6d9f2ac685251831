// Parsing of the byte sizes and durations the API accepts as strings. Shared by validation and
// compilation, so what `sluice validate` accepts is exactly what the agent config receives.

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const FACTORS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Bytes of a quantity such as "64Mi", "2Gi", "500M" or "1048576"; undefined when malformed. */
export const GiB = 1024 ** 3;

export function parseQuantity(text: string): number | undefined {
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * FACTORS[m[2] ?? '']!);
}

const DURATION_PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration such as "500ms", "5s", "1m30s"; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  if (!/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(DURATION_PART)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(total);
}

/** A whole number of milliseconds as the API writes durations: "50ms", "2s", "5m", "1h". */
export function formatDuration(ms: number): string {
  for (const [unit, f] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms >= f && ms % f === 0) return `${ms / f}${unit}`;
  return `${ms}ms`;
}

/** formatBytes, or about so many of the largest unit it reaches: "1.3Mi". */
export function formatBytesApprox(n: number): string {
  const exact = formatBytes(n);
  if (exact !== String(n)) return exact;
  for (const [unit, f] of [
    ['Gi', 1024 ** 3],
    ['Mi', 1024 ** 2],
    ['Ki', 1024],
  ] as const)
    if (n >= f) return `${(n / f).toFixed(1)}${unit}`;
  return String(n);
}

export function formatBytes(n: number): string {
  for (const [unit, f] of [
    ['Gi', 1024 ** 3],
    ['Mi', 1024 ** 2],
    ['Ki', 1024],
  ] as const) {
    if (n >= f && n % f === 0) return `${n / f}${unit}`;
  }
  return String(n);
}
