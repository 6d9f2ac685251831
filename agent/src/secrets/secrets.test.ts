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
      const changed = new Promise<void>((r) => store.onChange([ref], r));
      writeFileSync(join(dir, 'shop', 'kafka', 'password'), 'two');
      await changed;
      expect(await store.get(ref)).toBe('two');
    } finally {
      store.close();
    }
  });
});

describe('subscriptions are per Secret', () => {
  test('a change notifies the subscribers of that Secret only, once per change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-secrets-'));
    for (const ns of ['a', 'b']) {
      mkdirSync(join(dir, ns, 'kafka'), { recursive: true });
      writeFileSync(join(dir, ns, 'kafka', 'password'), `${ns}-1`);
      writeFileSync(join(dir, ns, 'kafka', 'username'), ns);
    }
    const store = directorySecretStore(dir, 30);
    const user = (ns: string) => ({ namespace: ns, name: 'kafka', key: 'username' });
    const pass = (ns: string) => ({ namespace: ns, name: 'kafka', key: 'password' });
    try {
      const calls = { a: 0, b: 0, both: 0 };
      let changedA = () => {};
      const aChanged = new Promise<void>((r) => {
        changedA = r;
      });
      // Two keys of one Secret: one call per change, not one per key.
      store.onChange([user('a'), pass('a')], () => {
        calls.a++;
        changedA();
      });
      store.onChange([user('b'), pass('b')], () => calls.b++);
      const offBoth = store.onChange([pass('a'), pass('b')], () => calls.both++);
      for (const ns of ['a', 'b']) await store.get(pass(ns));
      writeFileSync(join(dir, 'a', 'kafka', 'password'), 'a-2');
      await aChanged;
      // Several more refresh rounds: b never changed, so its subscriber is never called.
      await new Promise((r) => setTimeout(r, 200));
      expect(calls).toEqual({ a: 1, b: 0, both: 1 });
      offBoth();
      writeFileSync(join(dir, 'b', 'kafka', 'password'), 'b-2');
      for (let i = 0; i < 100 && calls.b === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(calls).toEqual({ a: 1, b: 1, both: 1 });
      expect(await store.get(pass('b'))).toBe('b-2');
    } finally {
      store.close();
    }
  });
});
