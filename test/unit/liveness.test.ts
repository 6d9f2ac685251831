// Liveness answers whether work progresses, not whether the process answers HTTP: the agent's
// /healthz fails once a file read, checkpoint write or config apply has hung past its limit, and
// the operator's once an informer's connection has gone silent past what the apiserver allows.
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from '@jest/globals';
import { Registry } from 'prom-client';
import { startHttp } from '../../agent/src/ops/http.ts';
import { Watchdog } from '../../agent/src/ops/watchdog.ts';
import type { KubeClient } from '../../operator/src/kube/client.ts';
import { Informer } from '../../operator/src/kube/informer.ts';
import { rtOf } from '../../operator/src/kube/resources.ts';
import { startOperatorHttp } from '../../operator/src/ops/http.ts';

const get = async (port: number, path: string) => {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: await r.text() };
};

describe('agent watchdog', () => {
  test('a step in flight past the limit is stalled; a settled one never is', async () => {
    let now = 1_000;
    const w = new Watchdog(60_000, () => now);
    let finish: (v: number) => void = () => {};
    const hung = w.track('file read', new Promise<number>((r) => (finish = r)));
    await w.track('checkpoint write', Promise.resolve());
    await w.track('config apply', Promise.reject(new Error('x'))).catch(() => {});
    now += 60_000;
    expect(w.stalled()).toEqual([]);
    now += 1;
    expect(w.stalled()).toEqual([{ what: 'file read', ms: 60_001 }]);
    finish(1);
    await hung;
    expect(w.stalled()).toEqual([]);
  });

  test('/healthz is 503 and names the stalled step while one is stalled', async () => {
    let stalled = [{ what: 'file read', ms: 130_000 }];
    const server = await startHttp('127.0.0.1', 0, {
      registry: new Registry(),
      stalled: () => stalled,
      ready: () => true,
      status: () => ({}),
    });
    try {
      const port = (server.address() as AddressInfo).port;
      expect(await get(port, '/healthz')).toEqual({
        status: 503,
        body: 'stalled: file read in flight for 130s\n',
      });
      stalled = [];
      expect((await get(port, '/healthz')).status).toBe(200);
    } finally {
      server.close();
    }
  });
});

describe('operator informers', () => {
  test('an informer whose watch hears nothing goes silent; any event resets it', async () => {
    let emit: (type: string, obj: unknown) => void = () => {};
    const client = {
      request: async () => ({ items: [], metadata: { resourceVersion: '1' } }),
      // A watch whose connection died without closing: it never returns.
      watch: (_p: string, _q: unknown, onEvent: (t: string, o: unknown) => void) => {
        emit = onEvent;
        return new Promise(() => {});
      },
    } as unknown as KubeClient;
    const inf = new Informer(client, { rt: rtOf('LogPipeline'), onEvent: () => {} });
    inf.start();
    await inf.synced;
    const later = Date.now() + 8 * 60_000;
    expect(inf.silentMs(later)).toBeGreaterThan(7 * 60_000);
    emit('BOOKMARK', { metadata: { resourceVersion: '2' } });
    expect(inf.silentMs(Date.now())).toBeLessThan(60_000);
    inf.stop();
  });

  test('/healthz is 503 while an informer is stalled', async () => {
    let stalled = [{ what: 'logpipelines informer', ms: 480_000 }];
    const server = await startOperatorHttp('127.0.0.1', 0, {
      registry: new Registry(),
      stalled: () => stalled,
      ready: () => true,
    });
    try {
      const port = (server.address() as AddressInfo).port;
      expect(await get(port, '/healthz')).toEqual({
        status: 503,
        body: 'stalled: logpipelines informer silent for 480s\n',
      });
      stalled = [];
      expect((await get(port, '/healthz')).status).toBe(200);
    } finally {
      server.close();
    }
  });
});
