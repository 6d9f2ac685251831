// `npm run test:env -- <command>`: the test environment for people and for scripts/test.ts.
//   up [components...]     install (cached) and start; reuses a running environment
//   down                   stop everything, delete run data
//   status [components...] show what runs; exit 0 only if the components are up
//   env [--json]           print connection details (shell exports, or the JSON tests read)
//   install [components...] install only, start nothing (warm a cache)
//   check-clean            exit 1 if the last run left a process, a port or a directory behind
//   kubeconfig <ns> <sa>   write a kubeconfig for a ServiceAccount and print its path
//   checkers               install (cached) promtool, the Argo CD Lua runner, hadolint; print paths
//   images                 build (cached) the agent and operator images from the Dockerfiles with
//                          buildah; print {agent, operator: {ref, archive, id, key}} as JSON
// Components: kube, kafka (3.9), kafka4 (4.x), opensearch, s3, node (default: SLUICE_TESTENV_COMPONENTS, else all; `node`
// needs root and `kube`).

import { installCheckers } from '../../tools/install/checkers.ts';
import { down, reap } from './down.ts';
import { buildImages } from './images/build.ts';
import { kubeEnv, loadEnv, serviceAccountCredentials } from './index.ts';
import { leftovers } from './leftovers.ts';
import { runDir, statePath } from './paths.ts';
import { isRunning } from './proc.ts';
import { readState } from './state.ts';
import { COMPONENTS, type Component } from './types.ts';
import { inProgress, installOnly, isUp, up } from './up.ts';

// kafkajs schedules a timer with a negative delay, which Node 24 reports on every connection.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'TimeoutNegativeWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});

const t0 = Date.now();
const say = (msg: string) =>
  process.stderr.write(`[test-env +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);

export function parseComponents(args: string[]): Component[] {
  const fromEnv = process.env.SLUICE_TESTENV_COMPONENTS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const names = args.length > 0 ? args : fromEnv?.length ? fromEnv : [...COMPONENTS];
  for (const n of names) {
    if (!(COMPONENTS as readonly string[]).includes(n)) {
      throw new Error(`unknown component '${n}' (known: ${COMPONENTS.join(', ')})`);
    }
  }
  return names as Component[];
}

function onSignal(sig: NodeJS.Signals): void {
  say(`${sig}: stopping what was started`);
  if (inProgress()) reap(say);
  process.exit(sig === 'SIGINT' ? 130 : 143);
}

function status(components: Component[]): number {
  const state = readState();
  if (!state) {
    say(`not running (${statePath()})`);
    return 3;
  }
  for (const p of state.processes) {
    process.stdout.write(
      `${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${isRunning(p) ? 'running' : 'DEAD   '}  ports ${p.ports.join(',')}\n`,
    );
  }
  const ok = isUp(state, components);
  process.stdout.write(`${ok ? 'up' : 'NOT up'}: ${components.join(', ')} (${runDir()})\n`);
  return ok ? 0 : 3;
}

function printEnv(json: boolean): void {
  const env = loadEnv();
  if (json) {
    process.stdout.write(`${JSON.stringify(env, null, 2)}\n`);
    return;
  }
  const lines: string[] = [`export SLUICE_TESTENV_STATE=${statePath()}`];
  if (env.kube) lines.push(`export KUBECONFIG=${env.kube.kubeconfig}`);
  if (env.tools) lines.push(`alias kubectl=${env.tools.kubectl}`, `alias helm=${env.tools.helm}`);
  if (env.kafka) {
    lines.push(`export KAFKA_BROKERS=${env.kafka.plaintext.brokers.join(',')}`);
    lines.push(`export KAFKA_SASL_SSL_BROKERS=${env.kafka.saslSsl.brokers.join(',')}`);
    lines.push(`export KAFKA_SSL_BROKERS=${env.kafka.mtls.brokers.join(',')}`);
  }
  if (env.kafka4) {
    lines.push(`export KAFKA4_BROKERS=${env.kafka4.plaintext.brokers.join(',')}`);
    lines.push(`export KAFKA4_SASL_SSL_BROKERS=${env.kafka4.saslSsl.brokers.join(',')}`);
    lines.push(`export KAFKA4_SSL_BROKERS=${env.kafka4.mtls.brokers.join(',')}`);
  }
  if (env.opensearch) lines.push(`export OPENSEARCH_URL=${env.opensearch.url}`);
  if (env.node) {
    // `ctr` reads these: `ctr images ls` then lists the node's images
    lines.push(
      `export CONTAINERD_ADDRESS=${env.node.containerdSocket}`,
      'export CONTAINERD_NAMESPACE=k8s.io',
    );
    lines.push(`export SLUICE_NODE=${env.node.name}`, `export SLUICE_NODE_VAR_LOG=${env.node.varLogDir}`);
  }
  if (env.s3) {
    lines.push(`export AWS_ENDPOINT_URL_S3=${env.s3.endpoint}`, `export AWS_REGION=${env.s3.region}`);
    lines.push(
      `export AWS_ACCESS_KEY_ID=${env.s3.accessKeyId}`,
      `export AWS_SECRET_ACCESS_KEY=${env.s3.secretAccessKey}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'up': {
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const components = parseComponents(rest);
      say(`up: ${components.join(', ')} (run dir ${runDir()})`);
      await up(components, say);
      say(`up in ${((Date.now() - t0) / 1000).toFixed(1)}s; state: ${statePath()}`);
      return 0;
    }
    case 'down':
      await down(say);
      return 0;
    case 'status':
      return status(parseComponents(rest));
    case 'env':
      printEnv(rest.includes('--json'));
      return 0;
    case 'install': {
      const components = parseComponents(rest);
      await installOnly(components, say);
      say(`installed ${components.join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      return 0;
    }
    case 'check-clean': {
      const problems = leftovers();
      for (const p of problems) process.stderr.write(`leftover: ${p}\n`);
      if (problems.length === 0)
        say(
          'no leftovers: no process, port, run directory, mount, cgroup, bridge or nat rule of the environment remains',
        );
      return problems.length === 0 ? 0 : 1;
    }
    case 'kubeconfig': {
      const [namespace, name] = rest;
      if (!namespace || !name) throw new Error('usage: kubeconfig <namespace> <serviceaccount>');
      const creds = await serviceAccountCredentials(kubeEnv(), { namespace, name });
      process.stdout.write(`${creds.kubeconfig}\n`);
      return 0;
    }
    case 'checkers':
      process.stdout.write(`${JSON.stringify(await installCheckers(say), null, 2)}\n`);
      return 0;
    case 'images':
      process.stdout.write(`${JSON.stringify(await buildImages(say), null, 2)}\n`);
      say(`images ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      return 0;
    default:
      process.stderr.write(
        'usage: test:env up [components...] | down | status [components...] | env [--json] | install [components...] | check-clean | kubeconfig <ns> <sa> | checkers | images\n' +
          `components: ${COMPONENTS.join(', ')}\n`,
      );
      return 2;
  }
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`test-env: ${err instanceof Error ? err.stack : err}\n`);
    if (err instanceof AggregateError)
      for (const e of err.errors) process.stderr.write(`  - ${e instanceof Error ? e.message : e}\n`);
    process.exitCode = 1;
  }
}
