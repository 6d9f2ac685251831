import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { splitDocuments } from '../../operator/src/validate/documents.ts';
import { formatProblem, validateObject } from '../../operator/src/validate/index.ts';
import { INVALID } from './validate-cases.ts';

describe('invalid resources are rejected with the field path and an actionable message', () => {
  test('the table is large enough to mean something', () => {
    expect(INVALID.length).toBeGreaterThanOrEqual(40);
  });
  test.each(INVALID.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = validateObject(c.doc);
    expect(r.status).toBe('invalid');
    if (r.status !== 'invalid') return;
    const lines = r.problems.map(formatProblem);
    const match = r.problems.find((p) => p.path === c.path && formatProblem(p).includes(c.message));
    if (!match) throw new Error(`expected ${c.path}: ...${c.message}... in\n${lines.join('\n')}`);
  });
});

describe('YAML documents', () => {
  test('a syntax error names its line and does not hide the next document', () => {
    const docs = splitDocuments('a: 1\n---\nb: [1,\n  c: {\n---\nd: 2\n', 'f.yaml');
    expect(docs).toHaveLength(3);
    expect(docs[1]!.error).toMatch(/YAML syntax error at line [345]/);
    expect(docs[2]!.value).toEqual({ d: 2 });
    expect(docs[2]!.index).toBe(3);
    expect(docs[2]!.line).toBe(6);
  });
  test('an empty document in the middle is an error, separators at the ends are not', () => {
    const docs = splitDocuments('---\na: 1\n---\n# nothing\n---\nb: 2\n---\n', 'f.yaml');
    expect(docs.map((d) => d.error ?? d.value)).toEqual([
      { a: 1 },
      expect.stringContaining('empty document'),
      { b: 2 },
    ]);
  });
  test('duplicate keys are a syntax error', () => {
    expect(splitDocuments('a: 1\na: 2\n', 'f.yaml')[0]!.error).toMatch(/duplicated mapping key/);
  });
});

describe('valid resources', () => {
  const dir = join(import.meta.dirname, '../../examples');
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml'));
  test('there are examples of every kind', () => {
    const kinds = new Set(
      files.flatMap((f) =>
        splitDocuments(readFileSync(join(dir, f), 'utf8'), f).map((d) => (d.value as { kind: string }).kind),
      ),
    );
    expect([...kinds].sort()).toEqual(['ClusterLogOutput', 'ClusterLogPipeline', 'LogOutput', 'LogPipeline']);
  });
  test.each(files)('examples/%s is accepted', (f) => {
    for (const d of splitDocuments(readFileSync(join(dir, f), 'utf8'), f)) {
      const r = validateObject(d.value);
      if (r.status !== 'valid') throw new Error(JSON.stringify(r, null, 2));
    }
  });
  test('schema defaults are applied as the apiserver would', () => {
    const r = validateObject({
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'LogOutput',
      metadata: { name: 'o', namespace: 'n' },
      spec: { kafka: { brokers: ['k:9092'], topic: 't' } },
    });
    expect(r.status).toBe('valid');
    if (r.status !== 'valid' || r.resource.kind !== 'LogOutput') return;
    expect(r.resource.spec.kafka?.compression).toBe('zstd');
  });
  test('objects of other kinds are ignored, not judged', () => {
    expect(validateObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }).status).toBe(
      'ignored',
    );
  });
});
