#!/usr/bin/env node
// Launcher for the `sluice` command in a checkout: Node (>= 24) runs the TypeScript sources
// directly by stripping types. Container images run the compiled `dist/cli/entry.js` instead.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `sluice: Node.js >= 24 is required (this is ${process.version}). ` +
      'Run it through npm (`npx sluice ...`), which puts the pinned Node first on the PATH.\n',
  );
  process.exit(2);
}
// Type stripping prints an ExperimentalWarning on some Node 24 releases; it is noise for a CLI.
// kafkajs schedules a timer with a negative delay, which Node 24 reports on every connection.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning' && w.name !== 'TimeoutNegativeWarning')
    process.stderr.write(`${w.name}: ${w.message}\n`);
});
// Node's compile cache (in NODE_COMPILE_CACHE, else the temp directory; keyed by Node version and
// each file's content) keeps the type-stripped sources and their bytecode: after the first run
// from a checkout, and after each edit for the files edited, Node neither strips types again nor
// loads its type stripper (amaro, ~27 MB of resident memory in the agent: docs/benchmarks.md).
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../cli/entry.ts');
