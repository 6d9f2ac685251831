// The agent's secret store against the real apiserver, under the agent's own ServiceAccount and
// exactly the Role the operator renders (resourceNames): it reads the referenced Secret, is refused
// any other with a clear message, and follows a rotation through its watch without being recreated.
import { afterAll, describe, expect, test } from '@jest/globals';
import { CoreV1Api, RbacAuthorizationV1Api, type V1Role, type V1RoleBinding } from '@kubernetes/client-node';
import { kubeSecretStore } from '../../agent/src/secrets/kube.ts';
import { renderSecretRoles } from '../../operator/src/render/rbac.ts';
import { defaultSettings } from '../../operator/src/render/settings.ts';
import { adminKubeConfig, kubeConfigFor, kubeEnv, serviceAccountCredentials } from '../env/index.ts';

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
    const store = kubeSecretStore(3_600_000, kubeConfigFor(creds));
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
      const changed = new Promise<void>((r) => store.onChange(r));
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
});
