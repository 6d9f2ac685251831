import { describe, expect, test } from '@jest/globals';
import { configHash, defaultRunConfig, validateAgentConfig } from './index.ts';

describe('agent config', () => {
  const base = defaultRunConfig({ logsDir: '/logs', outputFile: '/out.ndjson' });
  test('the default run config is valid and its hash ignores key order', () => {
    expect(validateAgentConfig(base).ok).toBe(true);
    const reordered = JSON.parse(
      JSON.stringify({
        outputs: base.outputs,
        pipelines: base.pipelines,
        agent: base.agent,
        apiVersion: base.apiVersion,
      }),
    );
    expect(configHash(reordered)).toBe(configHash(base));
  });
  test.each([
    ['unknown field', { ...base, extra: 1 }, "'extra'"],
    [
      'unknown output',
      { ...base, pipelines: [{ ...base.pipelines[0], outputs: ['nope'] }] },
      "unknown output 'nope'",
    ],
    [
      'LogPipeline reading another namespace',
      {
        ...base,
        pipelines: [
          {
            id: 'a',
            kind: 'LogPipeline',
            name: 'a',
            namespace: 'shop',
            input: { namespaces: { include: ['kube-system'] } },
            outputs: ['file'],
          },
        ],
      },
      'only its own namespace',
    ],
    [
      'bad regex',
      {
        ...base,
        pipelines: [{ ...base.pipelines[0], filters: [{ drop: { when: { field: 'x', matches: '(' } } }] }],
      },
      'invalid regular expression',
    ],
    ['file output without path', { ...base, outputs: [{ id: 'file', type: 'file', options: {} }] }, 'path'],
    [
      'self dead letter',
      { ...base, outputs: [{ ...base.outputs[0], deadLetter: 'file' }] },
      'own dead-letter',
    ],
  ])('%s is rejected', (_n, doc, msg) => {
    const r = validateAgentConfig(doc);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.message).join('\n')).toContain(msg);
  });
});
