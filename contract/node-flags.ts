// The agent's V8 flags, defined once. The agent image sets them (Dockerfile.agent's ENV
// NODE_OPTIONS, checked equal by test/unit/packaging.test.ts), the DaemonSet renders the same
// value (a NODE_OPTIONS in the pod spec replaces the image's, it does not add to it), `sluice run`
// and `sluice agent` started without them re-execute themselves with them (cli/node-flags.ts), and
// the benchmarks start the agent with them: what is measured is what runs.
//   --max-semi-space-size=2   a 2 MB young generation: V8 otherwise grows it to tens of MB under a
//                             burst of records, resident memory for nothing (docs/benchmarks.md);
//                             it costs about 3% CPU on the §1 workload.
//   --max-old-space-size=256  a heap ceiling well under the chart's 512Mi memory limit, so a heap
//                             that grows without bound fails as a V8 out-of-memory (logged, with
//                             a stack) before the kernel OOM-kills the container (no trace).
export const AGENT_NODE_FLAGS = ['--max-semi-space-size=2', '--max-old-space-size=256'] as const;

/** The same flags as one NODE_OPTIONS value. */
export const AGENT_NODE_OPTIONS = AGENT_NODE_FLAGS.join(' ');

// The agent's environment for glibc, defined once like the flags (the image's ENV, the DaemonSet's
// env, `sluice run`/`sluice agent` re-executed with it when it is unset, the benchmarks):
//   MALLOC_ARENA_MAX=1  one malloc arena for every thread. By default each thread that allocates
//                       (V8's background compiler and GC threads, libuv's pool) gets an arena of
//                       its own, each keeping freed memory resident: ~3.5 MB of peak RSS on the
//                       section-1 workload (docs/benchmarks.md), for no measurable CPU.
export const AGENT_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };
