// A Secret rotation reconnects only the outputs whose options reference that Secret: two S3
// outputs (a local HTTP server standing in for the bucket, which records the access key each
// request is signed with) read two different Secrets; rotating one rebuilds that output's client
// with the new key and leaves the other's connection alone.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { S3Options } from '../../../../contract/agent-config/types.ts';
import { s3Encoder } from '../../../../destinations/s3/sink/encode.ts';
import { S3Service } from '../../../../destinations/s3/sink/service.ts';
import { eventOf } from '../../record/record.ts';
import { directorySecretStore } from '../../secrets/directory.ts';
import { secretRefs } from '../../secrets/types.ts';
import type { ReconnectReason, SinkContext } from '../types.ts';
import { Credentials } from './credentials.ts';

const opt = (namespace: string, name: string, key: string) => ({ secret: { namespace, name, key } });

async function until(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms: ${cond}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('secretRefs', () => {
  test('finds every reference in an output’s options, nested or not', () => {
    expect(
      secretRefs({
        brokers: ['b:9092'],
        sasl: { mechanism: 'scram-sha-512', username: opt('a', 'k', 'u'), password: opt('a', 'k', 'p') },
        tls: { enabled: true, ca: opt('b', 'ca', 'ca.crt') },
        headers: { x: 'y' },
      }),
    ).toEqual([
      { namespace: 'a', name: 'k', key: 'u' },
      { namespace: 'a', name: 'k', key: 'p' },
      { namespace: 'b', name: 'ca', key: 'ca.crt' },
    ]);
    expect(secretRefs({ bucket: 'b' })).toEqual([]);
  });
});

describe('secret rotation is per Secret', () => {
  let dir: string;
  let server: Server;
  let endpoint: string;
  /** Access key id of each request, by bucket. */
  const seen = new Map<string, string[]>();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-rotation-'));
    server = createServer((req, res) => {
      const bucket = (req.url ?? '').split('/')[1] ?? '';
      const key = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
      seen.set(bucket, [...(seen.get(bucket) ?? []), key]);
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { ETag: '"0"' });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const writeSecret = (ns: string, name: string, id: string) => {
    mkdirSync(join(dir, ns, name), { recursive: true });
    writeFileSync(join(dir, ns, name, 'id'), id);
    writeFileSync(join(dir, ns, name, 'secret'), `${id}-secret`);
  };

  test('rotating team A’s Secret reconnects only the output that references it', async () => {
    writeSecret('team-a', 's3', 'AKIAONE');
    writeSecret('team-b', 's3', 'AKIABEE');
    const store = directorySecretStore(dir, 50);
    const output = (ns: string) => {
      const o: S3Options = {
        bucket: `bucket-${ns}`,
        endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: opt(ns, 's3', 'id'), secretAccessKey: opt(ns, 's3', 'secret') },
      };
      const reconnects: ReconnectReason[] = [];
      const ctx: SinkContext = { secrets: store, log: () => {}, reconnected: (r) => reconnects.push(r) };
      const service = new S3Service(o, ctx);
      let wakes = 0;
      service.onRecover(() => wakes++);
      const send = async () => {
        const r = await service.send(s3Encoder(o).encode([eventOf(`{"message":"m${Math.random()}"}`)]));
        expect(r).toEqual({ status: 'ok' });
      };
      return { service, reconnects, send, wakes: () => wakes };
    };
    const a = output('team-a');
    const b = output('team-b');
    try {
      await a.send();
      await b.send();
      // Team A rotates its key; team B's Secret does not change. The two files are written one
      // after the other, so a refresh running meanwhile can read the new secret with the old id
      // (and notify; the next refresh reads both and notifies again): wait until the store holds
      // the rotated pair, and until the output itself has seen a change (its wake; a listener of
      // the test's own could run before the output's).
      writeSecret('team-a', 's3', 'AKIATWO');
      const idRef = { namespace: 'team-a', name: 's3', key: 'id' };
      const secretRef = { ...idRef, key: 'secret' };
      let pair = '';
      await until(() => {
        void Promise.all([store.get(idRef), store.get(secretRef)]).then((v) => (pair = v.join(' ')));
        return pair === 'AKIATWO AKIATWO-secret' && a.wakes() > 0;
      });
      await a.send();
      await b.send();
      expect(a.reconnects).toEqual(['secret']);
      expect(b.reconnects).toEqual([]);
      expect(b.wakes()).toBe(0);
      expect(seen.get('bucket-team-a')).toEqual(['AKIAONE', 'AKIATWO']);
      expect(seen.get('bucket-team-b')).toEqual(['AKIABEE', 'AKIABEE']);
    } finally {
      await a.service.close();
      await b.service.close();
      store.close();
    }
  });
});

describe('Credentials', () => {
  test('a change rebuilds only when a value the connection uses differs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-creds-'));
    const put = (key: string, v: string) => {
      mkdirSync(join(dir, 'shop', 'kafka'), { recursive: true });
      writeFileSync(join(dir, 'shop', 'kafka', key), v);
    };
    put('username', 'app');
    put('password', 'one');
    put('unused', 'x');
    const store = directorySecretStore(dir, 20);
    const ref = (key: string) => ({ namespace: 'shop', name: 'kafka', key });
    const creds = new Credentials({ sasl: { username: opt('shop', 'kafka', 'username') } }, store);
    let wakes = 0;
    let woken = () => {};
    creds.onChange(() => {
      wakes++;
      woken();
    });
    const nextWake = () =>
      new Promise<void>((r) => {
        woken = r;
      });
    try {
      creds.begin();
      expect(await creds.get(ref('username'))).toBe('app');
      expect(await creds.changed()).toBe(false);
      // Another key of the same Secret: notified (same Secret), but nothing this connection uses.
      let w = nextWake();
      put('unused', 'y');
      await w;
      expect(await creds.changed()).toBe(false);
      // The key it uses.
      w = nextWake();
      put('username', 'app2');
      await w;
      expect(await creds.changed()).toBe(true);
      expect(await creds.changed()).toBe(false);
      // Deleted: a rebuild, which then reports the SecretError.
      creds.begin();
      await creds.get(ref('username'));
      w = nextWake();
      rmSync(join(dir, 'shop', 'kafka', 'username'));
      await w;
      expect(await creds.changed()).toBe(true);
      await expect(creds.get(ref('username'))).rejects.toThrow(
        "Secret shop/kafka key 'username': the Secret has no such key",
      );
      expect(wakes).toBe(3);
    } finally {
      creds.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
