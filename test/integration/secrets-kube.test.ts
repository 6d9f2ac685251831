// The agent's secret store against the real apiserver, under the agent's own ServiceAccount and
// exactly the Role the operator renders (resourceNames): it reads the referenced Secret, is refused
// any other with a clear message, and follows a rotation through its watch without being recreated.
// A rotation reconnects only the outputs whose options reference the rotated Secret: two S3
// outputs on two tenants' Secrets (a local HTTP server stands in for the bucket and records the
// access key of each signed request), one tenant rotates, the other output keeps its connection.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, test } from '@jest/globals';
import { CoreV1Api, RbacAuthorizationV1Api, type V1Role, type V1RoleBinding } from '@kubernetes/client-node';
import { eventOf } from '../../agent/src/record/record.ts';
import { kubeSecretStore } from '../../agent/src/secrets/kube.ts';
import type { ReconnectReason } from '../../agent/src/sinks/types.ts';
import type { S3Options } from '../../contract/agent-config/types.ts';
import { KubeClient } from '../../contract/kube/client.ts';
import { fromKubeconfig } from '../../contract/kube/config.ts';
import { s3Encoder } from '../../destinations/s3/sink/encode.ts';
import { S3Service } from '../../destinations/s3/sink/service.ts';
import { renderSecretRoles } from '../../operator/src/render/rbac.ts';
import { defaultSettings } from '../../operator/src/render/settings.ts';
import { adminKubeConfig, kubeEnv, serviceAccountCredentials } from '../env/index.ts';

const kube = kubeEnv();
const admin = adminKubeConfig(kube);
const core = admin.makeApiClient(CoreV1Api);
const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
const id = Date.now().toString(36);
const agentNs = `sluice-sys-${id}`;
const appNs = `shop-${id}`;
afterAll(async () => {
  for (const ns of [agentNs, appNs]) await core.deleteNamespace({ name: ns }).catch(() => {});
});

describe('secret store on the apiserver', () => {
  test('reads exactly the referenced Secrets and follows their rotation', async () => {
    for (const ns of [agentNs, appNs]) await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedServiceAccount({
      namespace: agentNs,
      body: { metadata: { name: 'sluice-agent' } },
    });
    const secret = (name: string, password: string) => ({
      metadata: { name, namespace: appNs },
      stringData: { username: 'app', password },
    });
    await core.createNamespacedSecret({ namespace: appNs, body: secret('kafka-user', 'one') });
    await core.createNamespacedSecret({ namespace: appNs, body: secret('other', 'nope') });
    const settings = defaultSettings({ namespace: agentNs, agentName: 'sluice-agent' });
    for (const o of renderSecretRoles(settings, [
      { namespace: appNs, name: 'kafka-user', key: 'password' },
    ])) {
      if (o.kind === 'Role')
        await rbac.createNamespacedRole({ namespace: appNs, body: o as unknown as V1Role });
      else await rbac.createNamespacedRoleBinding({ namespace: appNs, body: o as unknown as V1RoleBinding });
    }
    const creds = await serviceAccountCredentials(kube, { namespace: agentNs, name: 'sluice-agent' });
    // A refresh interval far beyond the test: the rotation must come through the watch.
    const store = kubeSecretStore(3_600_000, new KubeClient(fromKubeconfig(creds.kubeconfig)));
    try {
      const ref = { namespace: appNs, name: 'kafka-user', key: 'password' };
      // RBAC propagates within a moment of the RoleBinding's creation.
      let value: string | undefined;
      for (let i = 0; i < 50 && value === undefined; i++) {
        value = await store.get(ref).catch(() => undefined);
        if (value === undefined) await new Promise((r) => setTimeout(r, 200));
      }
      expect(value).toBe('one');
      await expect(store.get({ ...ref, key: 'token' })).rejects.toThrow(
        'no such key (it has: password, username)',
      );
      await expect(store.get({ ...ref, name: 'other' })).rejects.toThrow(
        /forbidden: the agent may read only the Secrets/,
      );
      const changed = new Promise<void>((r) => store.onChange([ref], r));
      await core.replaceNamespacedSecret({
        name: 'kafka-user',
        namespace: appNs,
        body: secret('kafka-user', 'two'),
      });
      await changed;
      expect(await store.get(ref)).toBe('two');
    } finally {
      store.close();
    }
  }, 60_000);

  test('a rotation reconnects only the output referencing the rotated Secret', async () => {
    const ns = `tenants-${id}`;
    const agent = `sluice-sys2-${id}`;
    for (const n of [ns, agent]) await core.createNamespace({ body: { metadata: { name: n } } });
    try {
      await core.createNamespacedServiceAccount({
        namespace: agent,
        body: { metadata: { name: 'sluice-agent' } },
      });
      const secret = (name: string, keyId: string) => ({
        metadata: { name, namespace: ns },
        stringData: { id: keyId, secret: `${keyId}-secret` },
      });
      await core.createNamespacedSecret({ namespace: ns, body: secret('team-a', 'AKIAONE') });
      await core.createNamespacedSecret({ namespace: ns, body: secret('team-b', 'AKIABEE') });
      const settings = defaultSettings({ namespace: agent, agentName: 'sluice-agent' });
      for (const o of renderSecretRoles(
        settings,
        ['team-a', 'team-b'].flatMap((name) => [
          { namespace: ns, name, key: 'id' },
          { namespace: ns, name, key: 'secret' },
        ]),
      )) {
        if (o.kind === 'Role')
          await rbac.createNamespacedRole({ namespace: ns, body: o as unknown as V1Role });
        else await rbac.createNamespacedRoleBinding({ namespace: ns, body: o as unknown as V1RoleBinding });
      }
      const creds = await serviceAccountCredentials(kube, { namespace: agent, name: 'sluice-agent' });
      const seen = new Map<string, string[]>();
      const server = createServer((req, res) => {
        const bucket = (req.url ?? '').split('/')[1] ?? '';
        const keyId = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
        seen.set(bucket, [...(seen.get(bucket) ?? []), keyId]);
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { ETag: '"0"' });
          res.end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      // Rotations must come through the watches: no periodic re-read within the test.
      const store = kubeSecretStore(3_600_000, new KubeClient(fromKubeconfig(creds.kubeconfig)));
      const output = (name: string) => {
        const ref = (key: string) => ({ secret: { namespace: ns, name, key } });
        const o: S3Options = {
          bucket: `bucket-${name}`,
          endpoint,
          forcePathStyle: true,
          credentials: { accessKeyId: ref('id'), secretAccessKey: ref('secret') },
        };
        const reconnects: ReconnectReason[] = [];
        const service = new S3Service(o, {
          secrets: store,
          log: () => {},
          reconnected: (r) => reconnects.push(r),
        });
        let woken = () => {};
        service.onRecover(() => woken());
        return {
          service,
          reconnects,
          /** Resolves when this output is next told that one of its Secrets changed. */
          nextWake: () =>
            new Promise<void>((r) => {
              woken = r;
            }),
          send: async () => service.send(s3Encoder(o).encode([eventOf(`{"message":"${Math.random()}"}`)])),
        };
      };
      const a = output('team-a');
      const b = output('team-b');
      try {
        // RBAC propagates within a moment of the RoleBinding's creation.
        let ok = false;
        for (let i = 0; i < 50 && !ok; i++) {
          ok = (await a.send()).status === 'ok' && (await b.send()).status === 'ok';
          if (!ok) await new Promise((r) => setTimeout(r, 200));
        }
        expect(ok).toBe(true);
        // Becoming readable (RBAC) notified the subscribers, but the connections were built with
        // those very values: nothing to rebuild.
        expect(await a.send()).toEqual({ status: 'ok' });
        expect(await b.send()).toEqual({ status: 'ok' });
        expect([a.reconnects, b.reconnects]).toEqual([[], []]);
        const aWoken = a.nextWake();
        const bWoken = b.nextWake();
        await core.replaceNamespacedSecret({
          name: 'team-a',
          namespace: ns,
          body: secret('team-a', 'AKIATWO'),
        });
        await aWoken;
        expect(await a.send()).toEqual({ status: 'ok' });
        expect(await b.send()).toEqual({ status: 'ok' });
        expect(a.reconnects).toEqual(['secret']);
        expect(b.reconnects).toEqual([]);
        expect(seen.get('bucket-team-a')?.at(-1)).toBe('AKIATWO');
        expect(new Set(seen.get('bucket-team-b'))).toEqual(new Set(['AKIABEE']));
        // Team B's watch works too: its own rotation reconnects it (and only it) — so its silence
        // above was because its Secret did not change, not a deaf watch.
        await core.replaceNamespacedSecret({
          name: 'team-b',
          namespace: ns,
          body: secret('team-b', 'AKIABEZ'),
        });
        await bWoken;
        expect(await b.send()).toEqual({ status: 'ok' });
        expect(await a.send()).toEqual({ status: 'ok' });
        expect(b.reconnects).toEqual(['secret']);
        expect(a.reconnects).toEqual(['secret']);
        expect(seen.get('bucket-team-b')?.at(-1)).toBe('AKIABEZ');
      } finally {
        await a.service.close();
        await b.service.close();
        store.close();
        await new Promise((r) => server.close(r));
      }
    } finally {
      for (const n of [ns, agent]) await core.deleteNamespace({ name: n }).catch(() => {});
    }
  }, 60_000);
});
