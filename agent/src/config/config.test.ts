import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from '@jest/globals';
import { configHash } from '../../../contract/agent-config/hash.ts';
import { defaultRunConfig, loadConfigFile, validateAgentConfig } from './index.ts';

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
  test('every tenant pattern field is checked for the linear-time engine, by its path', () => {
    const doc = {
      ...base,
      pipelines: [
        {
          ...base.pipelines[0],
          parse: {
            format: 'regex',
            pattern: '(?<a>x)(?=y)',
            multiline: { preset: 'custom', start: '(?i:start)', continue: '(a)\\1' },
          },
          filters: [
            { drop: { when: { any: [{ field: 'm', matches: '[0-9a-f]{32}' }] } } },
            { redact: { custom: [{ name: 'r', regex: '(?<=(a))b' }] } },
          ],
        },
      ],
    };
    const r = validateAgentConfig(doc);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.path, p.message.replace(/ \(.*|:.*/, '')])).toEqual([
      ['/pipelines/0/parse/multiline/start', 'regular expression uses an inline modifier such as'],
      ['/pipelines/0/parse/multiline/continue', 'regular expression uses a backreference'],
      ['/pipelines/0/parse/pattern', 'regular expression uses a lookahead'],
      [
        '/pipelines/0/filters/0/drop/when/any/0/matches',
        'regular expression repeats 32 times in a counted repetition',
      ],
      [
        '/pipelines/0/filters/1/redact/custom/0/regex',
        'regular expression has a capture group inside a lookbehind',
      ],
    ]);
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
      'regular expression does not compile',
    ],
    [
      'regex the linear-time engine cannot run',
      {
        ...base,
        pipelines: [{ ...base.pipelines[0], parse: { format: 'regex', pattern: '(?<w>\\w+) \\k<w>' } }],
      },
      'regular expression uses a named backreference',
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

describe('loading a config file', () => {
  const config = defaultRunConfig({ logsDir: '/logs', outputFile: '/out.ndjson' });

  test('plain and gzip-compressed files load to the same config and hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-load-'));
    try {
      const json = JSON.stringify(config);
      writeFileSync(join(dir, 'agent.json'), json);
      // the name does not matter: gzip is recognised by its magic bytes
      writeFileSync(join(dir, 'agent.json.gz'), gzipSync(json));
      const plain = await loadConfigFile(join(dir, 'agent.json'));
      const gz = await loadConfigFile(join(dir, 'agent.json.gz'));
      expect(plain.ok).toBe(true);
      expect(gz).toEqual(plain);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a corrupt gzip file is reported, not thrown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-load-'));
    try {
      writeFileSync(join(dir, 'agent.json.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
      const r = await loadConfigFile(join(dir, 'agent.json.gz'));
      expect(r.ok).toBe(false);
      expect(r.ok ? '' : r.problems[0]!.message).toMatch(/cannot read .*agent\.json\.gz/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
