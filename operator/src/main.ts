// The operator process: informers and controller on every replica, the work only on the leader;
// /healthz /readyz /metrics; pino logs; SIGTERM stops taking work, finishes what runs, releases
// the leader Lease (so a standby takes over at once) and exits.

import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { pino } from 'pino';
import type { AgentSettings } from '../../contract/agent-config/types.ts';
import { Controller } from './controller/controller.ts';
import { KubeClient } from './kube/client.ts';
import { loadConnection } from './kube/config.ts';
import { makeEventSink } from './ops/events.ts';
import { startOperatorHttp } from './ops/http.ts';
import { LeaderElector } from './ops/leader.ts';
import { makeOperatorMetrics } from './ops/metrics.ts';
import { FIELD_MANAGER } from './render/meta.ts';
import type { RenderSettings } from './render/settings.ts';

export interface OperatorOptions {
  settings: RenderSettings;
  agent?: AgentSettings;
  kubeconfig?: string;
  httpHost: string;
  httpPort: number;
  leaderElect: boolean;
  leaseName: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryMs: number;
  concurrency: number;
  figuresIntervalMs: number;
  resyncMs: number;
  logLevel: string;
  identity?: string;
}

export async function runOperator(o: OperatorOptions): Promise<number> {
  const logger = pino({ level: o.logLevel, base: { component: 'sluice-operator' } }, pino.destination(2));
  const log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, extra?: object) =>
    logger[level](extra ?? {}, msg);
  const client = new KubeClient(loadConnection(o.kubeconfig));
  const metrics = makeOperatorMetrics(() => client.requests);
  client.onWrite = (verb, resource) => metrics.writes.inc({ verb, resource });
  const identity = o.identity ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}`;

  let leading = !o.leaderElect;
  const controller = new Controller({
    client,
    settings: o.settings,
    ...(o.agent ? { agent: o.agent } : {}),
    fieldManager: FIELD_MANAGER,
    metrics,
    events: makeEventSink(client, 'sluice-operator', log),
    log,
    isLeader: () => leading,
    concurrency: o.concurrency,
    figuresIntervalMs: o.figuresIntervalMs,
    resyncMs: o.resyncMs,
  });

  let server: Server | undefined;
  if (o.httpPort >= 0) {
    server = await startOperatorHttp(o.httpHost, o.httpPort, {
      registry: metrics.registry,
      stalled: () => controller.stalled(),
      ready: () => controller.synced,
    });
    const addr = server.address();
    log('info', 'serving /healthz /readyz /metrics', {
      port: typeof addr === 'object' && addr ? addr.port : o.httpPort,
    });
  }

  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((r) => {
    resolveExit = r;
  });
  let stopping = false;
  let elector: LeaderElector | undefined;
  const stop = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log('info', 'shutting down', { why });
    controller.queue.stop();
    await controller.queue.drain(10_000);
    await elector?.stop(true);
    controller.stop();
    server?.close();
    client.close();
    logger.flush();
    resolveExit(code);
  };
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  process.once('SIGINT', () => void stop('SIGINT', 0));

  log('info', 'starting informers', { namespace: o.settings.namespace, identity });
  await controller.start();
  log('info', 'caches synced');
  if (o.leaderElect) {
    elector = new LeaderElector({
      client,
      namespace: o.settings.namespace,
      name: o.leaseName,
      identity,
      leaseDurationMs: o.leaseDurationMs,
      renewDeadlineMs: o.renewDeadlineMs,
      retryMs: o.retryMs,
      log,
      onStarted: () => {
        leading = true;
        metrics.leader.set(1);
        controller.kick();
      },
      // A replica that lost the lease cannot know what the new leader does: stop (and be restarted).
      onStopped: () => {
        leading = false;
        metrics.leader.set(0);
        void stop('lost leadership', 1);
      },
    });
    elector.start();
  } else {
    metrics.leader.set(1);
    controller.kick();
  }
  return exited;
}
