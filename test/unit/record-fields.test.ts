// The agent's records carry exactly the API's record fields (operator/src/api/fields.ts): the
// sinks' templates (index names, key prefixes) and pipeline conditions resolve these paths, so an
// enriched record must have every one of them, on both the byte path and the string path.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { RECORD_FIELD_MAPS, RECORD_FIELDS } from '../../operator/src/api/fields.ts';
import { config, readOut, runOnce, T, tempDir, writeLog } from './agent-harness.ts';

const pod = {
  kind: 'Pod',
  metadata: {
    name: 'web-1',
    namespace: 'shop',
    uid: 'uid-web-1',
    labels: { app: 'web', 'app.kubernetes.io/name': 'checkout', 'pod-template-hash': '7d4b9c' },
    annotations: { team: 'payments' },
    ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7d4b9c', controller: true }],
  },
  spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'registry/web:1.2' }] },
};
const ns = { kind: 'Namespace', metadata: { name: 'shop', labels: { tier: 'prod' } } };

/** The value at a RECORD_FIELDS path; label/annotation keys take the rest of the path whole. */
function at(rec: Record<string, unknown>, path: string): unknown {
  for (const m of RECORD_FIELD_MAPS)
    if (path.startsWith(m)) {
      const map = at(rec, m.slice(0, -1)) as Record<string, unknown> | undefined;
      return map?.[path.slice(m.length)];
    }
  let v: unknown = rec;
  for (const k of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[k];
  return v;
}

function setup(): string {
  const root = tempDir();
  writeFileSync(join(root, 'meta.json'), JSON.stringify({ items: [pod, ns] }));
  writeLog(root, 'shop', 'web-1', 'app', `${T} stdout F {"level":"info"}\n${T} stderr F plain\n`);
  return root;
}

const expected: Record<(typeof RECORD_FIELDS)[number], string> = {
  'kubernetes.namespace': 'shop',
  'kubernetes.pod': 'web-1',
  'kubernetes.podUid': 'uid-web-1',
  'kubernetes.container': 'app',
  'kubernetes.node': 'node-a',
  'kubernetes.image': 'registry/web:1.2',
  'kubernetes.workload': 'web',
  'kubernetes.workloadKind': 'Deployment',
  pipeline: 'p0',
  stream: 'stdout',
};

describe('record fields', () => {
  test.each([
    ['byte path', {}],
    ['string path', { filters: [{ add: { fields: { added: 'x' } } }] }],
  ])('every RECORD_FIELDS path is on an enriched record (%s)', async (_name, extra) => {
    const root = setup();
    const c = config(root, [extra], { enrichment: { metadataFile: join(root, 'meta.json') } });
    await runOnce(c);
    const [rec, plain] = readOut(root);
    for (const f of RECORD_FIELDS) expect([f, at(rec, f)]).toEqual([f, expected[f]]);
    expect(at(rec, 'kubernetes.labels.app.kubernetes.io/name')).toBe('checkout');
    expect(at(rec, 'kubernetes.annotations.team')).toBe('payments');
    expect(at(plain, 'stream')).toBe('stderr');
    // Nothing under the agent's old names.
    expect(Object.keys(rec.kubernetes as object).filter((k) => k.includes('_'))).toEqual([]);
  });

  test('conditions resolve the same paths, dotted label keys included', async () => {
    const root = setup();
    const keep = (field: string, equals: string) => ({ keep: { when: { field, equals } } });
    const c = config(
      root,
      [{ filters: [keep('kubernetes.labels.app.kubernetes.io/name', 'checkout')] }, {}],
      {
        enrichment: { metadataFile: join(root, 'meta.json') },
      },
    );
    c.pipelines[1].filters = [keep('kubernetes.workload', 'other')];
    c.pipelines.push({
      ...c.pipelines[0],
      id: 'p2',
      name: 'p2',
      outputs: ['o2'],
      filters: [keep('pipeline', 'p2')],
    });
    c.outputs.push({ id: 'o2', type: 'file', options: { path: join(root, 'out2.ndjson') } });
    await runOnce(c);
    expect(readOut(root, 0)).toHaveLength(2);
    expect(readOut(root, 1)).toHaveLength(0);
    expect(readOut(root, 2)).toHaveLength(2);
  });

  test('a parsed field named pipeline does not override ours', async () => {
    const root = tempDir();
    writeLog(root, 'ns', 'p', 'c', `${T} stdout F {"pipeline":"theirs","a":1}\n`);
    await runOnce(config(root, [{}]));
    const [rec] = readOut(root);
    expect(rec.pipeline).toBe('p0');
    expect(rec.log).toEqual({ pipeline: 'theirs', a: 1 });
  });
});
