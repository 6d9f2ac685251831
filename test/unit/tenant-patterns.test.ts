// Patterns that backtrack catastrophically, in every field that takes a tenant pattern, run by the
// agent on a real file with a 50,000-character line crafted against them. On irregexp this run
// would not end (each pattern is exponential on that line); on the linear-time engine
// (contract/patterns.ts) it takes milliseconds, and the normal lines are parsed, dropped and
// redacted as before.
import { describe, expect, test } from '@jest/globals';
import { config, readOut, runOnce, T, tempDir, writeLog } from './agent-harness.ts';

describe('evil tenant patterns cannot stall the agent', () => {
  test('parse, multiline, condition and redact patterns on a 50 kB adversarial line', async () => {
    const root = tempDir();
    const evil = `${'a'.repeat(50_000)}!`;
    const lines = ['hello world', evil, 'xaab', 'token aaaaaaaaaaaaaaaaaax end'];
    writeLog(root, 'ns', 'p', 'c', lines.map((l) => `${T} stdout F ${l}\n`).join(''));
    const { stats } = await runOnce(
      config(root, [
        {
          parse: {
            format: 'regex',
            pattern: '^(?<lead>(\\w+\\s?)+)$',
            multiline: { preset: 'custom', start: '^(\\w+\\s?)+$', continue: '^(a+)+$' },
          },
          filters: [
            { drop: { when: { field: 'lead', matches: '(a|aa)+b' } } },
            { redact: { custom: [{ name: 'evil', regex: '(.*a){16}x' }] } },
          ],
        },
      ]),
    );
    const out = readOut(root);
    expect(out.map((r) => r.lead ?? r.message)).toEqual([
      'hello world',
      evil,
      // 'xaab' matched the drop condition
      '[REDACTED] end',
    ]);
    expect(stats.pipeline('p0').drops.get('filtered')).toBe(1);
  }, 120_000);
});
