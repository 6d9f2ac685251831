// `up`: install what the requested components need, start them in parallel on loopback, wait until
// each is really ready, and record everything in the state file. An environment that is already up
// with these components is reused; leftovers of a dead one are reaped first.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Say } from '../../tools/install/index.ts';
import { withLock } from '../../tools/lock.ts';
import type { Ctx } from './components/context.ts';
import { installKafka, startKafka } from './components/kafka.ts';
import { installKube, startKube } from './components/kube.ts';
import { installNode, startNode } from './components/node.ts';
import { installOpenSearch, startOpenSearch } from './components/opensearch.ts';
import { installS3, startS3 } from './components/s3.ts';
import { reap } from './down.ts';
import { newNodeHost } from './node/host.ts';
import { runDir } from './paths.ts';
import { makePki } from './pki.ts';
import { isRunning } from './proc.ts';
import { readState, type State, writeState } from './state.ts';
import type { Component } from './types.ts';

/** The state being built by an `up` in progress in this process, for signal handlers. */
let building: State | undefined;
export function inProgress(): State | undefined {
  return building;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(err: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export function isUp(state: State | undefined, components: readonly Component[]): state is State {
  return (
    state !== undefined &&
    components.every((c) => state.env[c] !== undefined) &&
    state.processes.length > 0 &&
    state.processes.every(isRunning)
  );
}

async function startComponent(
  c: Component,
  ctx: Ctx,
  state: State,
  save: () => void,
  kubeUp: Deferred<void>,
): Promise<void> {
  const t0 = Date.now();
  switch (c) {
    case 'kube': {
      try {
        const bins = await installKube(ctx);
        const { kube, tools } = await startKube(ctx, bins);
        state.env.kube = kube;
        state.env.tools = tools;
        save();
        kubeUp.resolve();
      } catch (err) {
        kubeUp.reject(new Error('kube failed to start'));
        throw err;
      }
      break;
    }
    case 'node': {
      // installs in parallel with everything else; starts once the apiserver is ready
      const bins = await installNode(ctx);
      await kubeUp.promise;
      state.node = newNodeHost(state.env.runDir);
      save(); // before anything is made: `down` undoes it from the state file
      state.env.node = await startNode(ctx, bins, state.env.kube!, state.node);
      break;
    }
    case 'kafka':
    case 'kafka4':
      state.env[c] = await startKafka(ctx, c, await installKafka(ctx, c));
      break;
    case 'opensearch':
      state.env.opensearch = await startOpenSearch(ctx, await installOpenSearch(ctx));
      break;
    case 's3':
      state.env.s3 = await startS3(ctx, await installS3(ctx));
      break;
  }
  save();
  ctx.say(`${c} ready (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
}

/** Installs only (no servers): for warming a cache. */
export async function installOnly(components: readonly Component[], say: Say): Promise<void> {
  const ctx = { say } as Ctx;
  const steps = {
    kube: installKube,
    kafka: (ctx: Ctx) => installKafka(ctx, 'kafka'),
    kafka4: (ctx: Ctx) => installKafka(ctx, 'kafka4'),
    opensearch: installOpenSearch,
    s3: installS3,
    node: installNode,
  };
  await Promise.all(components.map((c) => steps[c](ctx)));
}

export async function up(components: readonly Component[], say: Say): Promise<State> {
  return withLock(`${runDir()}.lock`, async () => {
    const existing = readState();
    if (isUp(existing, components)) {
      say(`reusing the environment in ${runDir()}`);
      return existing;
    }
    reap(say); // whatever a previous run left behind: processes, ports, data
    const dir = runDir();
    mkdirSync(dir, { recursive: true });
    const pki = makePki(join(dir, 'pki'));
    const state: State = {
      version: 1,
      createdAt: new Date().toISOString(),
      env: { runDir: dir, caFile: pki.caCert },
      processes: [],
    };
    building = state;
    const save = () => writeState(state);
    save();
    const ctx: Ctx = {
      runDir: dir,
      pki,
      say,
      track(rec) {
        state.processes.push(rec);
        save();
      },
    };
    const kubeUp = deferred<void>();
    kubeUp.promise.catch(() => {}); // only `node` waits on it, and reports its failure itself
    if (!components.includes('kube')) kubeUp.reject(new Error("component 'node' needs 'kube'"));
    try {
      const results = await Promise.allSettled(
        components.map((c) => startComponent(c, ctx, state, save, kubeUp)),
      );
      const failed = results.filter((r) => r.status === 'rejected');
      if (failed.length > 0)
        throw new AggregateError(
          failed.map((f) => f.reason),
          'test environment failed to start',
        );
      return state;
    } catch (err) {
      reap(say); // from the state file: the real node's host changes too
      throw err;
    } finally {
      building = undefined;
    }
  });
}
