// The generated CRDs on the real kube-apiserver: they install and become Established, every
// example is admitted, and the schema + CEL rules reject what `sluice validate` rejects — except
// the checks only the operator can make (regexes compiling, template fields, references), which
// are listed here by name so the two validators cannot drift apart unnoticed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  loadYaml,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import * as yaml from 'js-yaml';
import { KINDS } from '../../operator/src/api/kinds.ts';
import { validateObject } from '../../operator/src/validate/index.ts';
import { adminKubeConfig, kubeEnv } from '../env/index.ts';
import { waitUntil } from '../env/wait.ts';
import { type Case, INVALID } from '../unit/validate-cases.ts';

const root = join(import.meta.dirname, '../..');
const kc = adminKubeConfig(kubeEnv());
const ext = kc.makeApiClient(ApiextensionsV1Api);
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);

/**
 * Rejected by `sluice validate` but admitted by the apiserver, with why the apiserver cannot know.
 * The operator rejects these with Accepted=False (InvalidSpec) instead.
 */
const OPERATOR_ONLY: Record<string, string> = {
  'parse regex that does not compile': 'CEL has no ECMAScript regex compiler',
  'parse regex without named groups': 'CEL has no ECMAScript regex compiler',
  'multiline custom start pattern does not compile': 'CEL has no ECMAScript regex compiler',
  'multiline start pattern matching everything': 'needs the regex engine',
  'drop condition regex does not compile': 'CEL has no ECMAScript regex compiler',
  'custom redact regex does not compile': 'CEL has no ECMAScript regex compiler',
  'parse regex with a backreference': 'CEL has no ECMAScript regex compiler (and no linear-time check)',
  'multiline continue pattern with a lookahead':
    'CEL has no ECMAScript regex compiler (and no linear-time check)',
  'condition regex with a repetition count above 16':
    'CEL has no ECMAScript regex compiler (and no linear-time check)',
  'custom redact regex with an inline modifier':
    'CEL has no ECMAScript regex compiler (and no linear-time check)',
  'bad label key':
    'label syntax needs CEL regexes over an unbounded map (cost budget); the validator checks it',
  'bad label value':
    'label syntax needs CEL regexes over an unbounded map (cost budget); the validator checks it',
  'bad namespace selector key':
    'label syntax needs CEL regexes over an unbounded map (cost budget); the validator checks it',
  'namespace on a cluster-scoped kind': 'the apiserver drops metadata.namespace of cluster-scoped objects',
  'index template with an unknown field': 'template grammar lives in the validator',
  'unclosed placeholder': 'template grammar lives in the validator',
  'unknown date directive': 'template grammar lives in the validator',
  'buffer too small': 'quantity comparison is a semantic check',
  'zero max record size': 'quantity comparison is a semantic check',
  'output is its own dead letter': 'needs the object name and the reference together',
  'host file climbing out of /var/log': 'path normalisation is a semantic check',
  'file output path escaping its directory': 'path normalisation is a semantic check',
};

/** Cases the apiserver cannot even be asked about (not an object of one of our kinds). */
function servable(c: Case): boolean {
  const d = c.doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } | null;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return false;
  if (d.apiVersion !== 'sluice.dev/v1alpha1') return false;
  if (!KINDS.some((k) => k.kind === d.kind)) return false;
  return typeof d.metadata?.name === 'string';
}

/** Create `doc` with dryRun=All and strict field validation; the apiserver's answer or its refusal. */
async function dryRunCreate(
  doc: Record<string, unknown>,
): Promise<{ ok: true; served: { spec?: unknown } } | { ok: false; message: string }> {
  const kind = KINDS.find((k) => k.kind === doc.kind)!;
  const meta = (doc.metadata ?? {}) as { namespace?: string };
  const common = {
    group: 'sluice.dev',
    version: 'v1alpha1',
    plural: kind.plural,
    body: doc,
    dryRun: 'All',
    fieldValidation: 'Strict',
  };
  try {
    const served =
      kind.scope === 'Namespaced'
        ? await custom.createNamespacedCustomObject({ ...common, namespace: meta.namespace ?? 'default' })
        : await custom.createClusterCustomObject(common);
    return { ok: true, served: served as { spec?: unknown } };
  } catch (e) {
    if (e instanceof ApiException) {
      const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body);
      return { ok: false, message: `${e.code} ${body}` };
    }
    throw e;
  }
}

const createdNamespaces: string[] = [];

beforeAll(async () => {
  for (const f of readdirSync(join(root, 'crds')).filter((x) => x.endsWith('.yaml'))) {
    // loadYaml gives the client's model form (`x-kubernetes-validations` -> xKubernetesValidations,
    // `default` -> _default); a plain YAML object would be sent without them.
    const crd = loadYaml<V1CustomResourceDefinition>(readFileSync(join(root, 'crds', f), 'utf8'));
    const name = crd.metadata!.name!;
    try {
      const cur = await ext.readCustomResourceDefinition({ name });
      crd.metadata!.resourceVersion = cur.metadata!.resourceVersion;
      await ext.replaceCustomResourceDefinition({ name, body: crd });
    } catch (e) {
      if (!(e instanceof ApiException) || e.code !== 404) throw e;
      await ext.createCustomResourceDefinition({ body: crd });
    }
  }
  await waitUntil(
    'sluice CRDs established',
    async () => {
      const list = await ext.listCustomResourceDefinition();
      const ours = list.items.filter((c) => c.spec.group === 'sluice.dev');
      return (
        ours.length === KINDS.length &&
        ours.every((c) => c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'))
      );
    },
    { timeoutMs: 60_000 },
  );
  const namespaces = new Set(['shop', 'default']);
  for (const c of INVALID) {
    const ns = (c.doc as { metadata?: { namespace?: unknown } } | null)?.metadata?.namespace;
    if (typeof ns === 'string') namespaces.add(ns);
  }
  for (const name of namespaces) {
    try {
      await core.createNamespace({ body: { metadata: { name } } });
      createdNamespaces.push(name);
    } catch (e) {
      if (!(e instanceof ApiException) || e.code !== 409) throw e;
    }
  }
}, 120_000);

afterAll(async () => {
  for (const name of createdNamespaces) await core.deleteNamespace({ name }).catch(() => {});
});

describe('CRDs on the real kube-apiserver', () => {
  test('each CRD is Established with its short names, category and printer columns', async () => {
    for (const k of KINDS) {
      const crd = await ext.readCustomResourceDefinition({ name: `${k.plural}.sluice.dev` });
      expect(crd.spec.names.categories).toContain('sluice');
      expect(crd.spec.names.shortNames).toEqual([k.shortName]);
      // kubectl prints column names upper-cased.
      const cols = crd.spec.versions[0]!.additionalPrinterColumns!.map((c) => c.name.toUpperCase());
      const expected = k.kind.endsWith('Pipeline')
        ? ['READY', 'AGENTS', 'OUTPUTS', 'DELIVERED', 'AGE']
        : ['READY', 'TYPE', 'PIPELINES', 'DELIVERED', 'AGE'];
      expect(cols.slice(0, 5)).toEqual(expected);
      expect(crd.spec.versions[0]!.subresources?.status).toBeDefined();
    }
  });

  const examples = (readdirSync(join(root, 'examples'), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      yaml
        .loadAll(readFileSync(join(root, 'examples', f), 'utf8'))
        .map((d, i) => [`${f}#${i}`, d as Record<string, unknown>] as const),
    );
  test.each(examples)(
    'example %s is admitted, with the defaults sluice validate applies',
    async (_n, doc) => {
      const r = await dryRunCreate(doc);
      if (!r.ok) throw new Error(r.message);
      // The apiserver's structural defaulting and ours agree: a round trip keeps the spec.
      const ours = validateObject(doc);
      if (ours.status !== 'valid') throw new Error(`sluice validate rejects ${_n}`);
      expect(r.served.spec).toEqual(ours.resource.spec);
    },
  );

  const cases = INVALID.filter(servable);
  test('most invalid cases are servable objects', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  test.each(cases.map((c) => [c.name, c] as const))('invalid: %s', async (name, c) => {
    const r = await dryRunCreate(c.doc as Record<string, unknown>);
    if (name in OPERATOR_ONLY) {
      // Admitted by the apiserver; if this starts failing, the CRD learned the check: drop it from the list.
      expect(r.ok ? 'admitted' : r.message).toBe('admitted');
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/^(400|422) /);
    }
  });

  test.each([
    [
      'two destination types',
      'set exactly one destination: kafka, opensearch, s3, file or stdout',
      { kafka: { brokers: ['k:9092'], topic: 't' }, stdout: {} },
    ],
    [
      'initial backoff longer than max',
      'initialBackoff must not be longer than maxBackoff',
      { stdout: {}, retry: { initialBackoff: '10m', maxBackoff: '1m' } },
    ],
  ])('CEL rule message reaches the user: %s', async (_n, words, spec) => {
    const r = await dryRunCreate({
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'LogOutput',
      metadata: { name: 'cel', namespace: 'shop' },
      spec,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(words);
  });
});
