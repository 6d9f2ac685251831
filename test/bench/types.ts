// A benchmark: prepare its workload once, then measure runs; run.ts takes the median.
export interface BenchRun {
  records: number;
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  recordsPerCpuSecond: number;
  peakRssMb: number;
}

export interface Bench {
  name: string;
  title: string;
  /** Builds (or reuses) the workload; returns a one-line description of it. */
  prepare(): string;
  once(): BenchRun | Promise<BenchRun>;
  /** Runs of this benchmark (default BENCH_RUNS); the sink benchmarks run once. */
  runs?: number;
  /** Extra lines for its docs section (e.g. latency percentiles), after the runs. */
  notes?: () => string[];
  target(median: BenchRun): boolean;
  targetText: string;
  /** Lines comparing the median with the reference figures (BENCHMARKS.md anchors). */
  compare?(median: BenchRun): string[];
}
