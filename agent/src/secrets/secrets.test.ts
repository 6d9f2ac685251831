import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { directorySecretStore } from './directory.ts';

describe('directory secret store', () => {
  test('reads <ns>/<name>/<key>, explains what is missing, and follows rotation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-secrets-'));
    mkdirSync(join(dir, 'shop', 'kafka'), { recursive: true });
    writeFileSync(join(dir, 'shop', 'kafka', 'password'), 'one\n');
    const store = directorySecretStore(dir, 50);
    try {
      const ref = { namespace: 'shop', name: 'kafka', key: 'password' };
      expect(await store.get(ref)).toBe('one');
      await expect(store.get({ ...ref, key: 'user' })).rejects.toThrow(
        "Secret shop/kafka key 'user': the Secret has no such key (it has: password)",
      );
      await expect(store.get({ ...ref, name: 'nope' })).rejects.toThrow('the Secret does not exist');
      const changed = new Promise<void>((r) => store.onChange(r));
      writeFileSync(join(dir, 'shop', 'kafka', 'password'), 'two');
      await changed;
      expect(await store.get(ref)).toBe('two');
    } finally {
      store.close();
    }
  });
});
