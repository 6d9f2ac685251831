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
await import('../cli/entry.ts');
