// JSON is parsed without js-yaml; YAML (and broken JSON) goes to js-yaml, with its errors.
import { describe, expect, test } from '@jest/globals';
import { loadAllYaml, loadYaml } from './yaml.ts';

describe('loadYaml / loadAllYaml', () => {
  test('JSON and YAML give the same documents', () => {
    const doc = { apiVersion: 'v1', items: [{ a: 1, b: 'x: y', c: null, d: true }] };
    expect(loadYaml(JSON.stringify(doc))).toEqual(doc);
    expect(loadYaml(`  \n${JSON.stringify(doc, null, 2)}`)).toEqual(doc);
    expect(loadYaml('apiVersion: v1\nitems:\n  - {a: 1, b: "x: y", c: null, d: true}\n')).toEqual(doc);
    expect(loadAllYaml(JSON.stringify(doc))).toEqual([doc]);
    expect(loadAllYaml('a: 1\n---\nb: 2\n')).toEqual([{ a: 1 }, { b: 2 }]);
  });

  test('text that is neither fails with js-yaml’s message', () => {
    expect(() => loadYaml('{"a": 1,,}')).toThrow(/flow|unexpected|expected/i);
    expect(() => loadYaml('a: [1, 2\n')).toThrow();
  });
});
