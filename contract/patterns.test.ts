import { performance } from 'node:perf_hooks';
import { describe, expect, test } from '@jest/globals';
import { boundedBacktracking, compilePattern, patternRejection } from './patterns.ts';

// Patterns that backtrack catastrophically on irregexp (exponential or polynomial in the line
// length), each with an input that triggers it. On irregexp the first four take longer than the
// age of the universe at these lengths; the last two are quadratic (minutes at a 1 MiB record).
const ADVERSARIAL: [string, (n: number) => string][] = [
  ['^(\\w+\\s?)+$', (n) => `${'a'.repeat(n)}!`],
  ['(a+)+$', (n) => `${'a'.repeat(n)}!`],
  ['(a|aa)+b', (n) => 'a'.repeat(n)],
  ['(.*a){16}x', (n) => 'a'.repeat(n)],
  ['(?<k>\\w+)=(?<v>\\w+);', (n) => 'a'.repeat(n)],
  ['[A-Za-z0-9._%+-]+@', (n) => 'a'.repeat(n)],
];

/**
 * The fastest of seven runs of each input, in ms, taken in turns so that a loaded machine (a
 * preemption, another build) slows both alike; the fastest run is the one nothing interrupted.
 */
function times(re: RegExp, small: string, large: string) {
  const best = { small: Number.POSITIVE_INFINITY, large: Number.POSITIVE_INFINITY };
  const matched = { small: false, large: false };
  for (let i = 0; i < 7; i++)
    for (const k of ['small', 'large'] as const) {
      const input = k === 'small' ? small : large;
      re.lastIndex = 0;
      const t = performance.now();
      matched[k] = re.test(input);
      best[k] = Math.min(best[k], performance.now() - t);
    }
  return { best, matched };
}

describe('tenant patterns run on the linear-time engine', () => {
  test.each(ADVERSARIAL)('%s is accepted and its time grows linearly with the line', (source, input) => {
    expect(patternRejection(source)).toBeUndefined();
    const re = compilePattern(source);
    expect(re.flags).toContain('l');
    times(re, input(1000), input(1000)); // warm up
    // n and 4n: linear time grows ~4x, quadratic ~16x, exponential never returns. The factor is
    // wide (machines are shared) and each figure is the fastest of seven runs in turns; the
    // absolute bound only guards against hanging the suite (these take milliseconds).
    const { best, matched } = times(re, input(12_500), input(50_000));
    expect(matched).toEqual({ small: false, large: false });
    expect(best.large).toBeLessThan(10 * Math.max(best.small, 5));
    expect(best.large).toBeLessThan(10_000);
  });

  test('matches as JavaScript does: named groups, priorities, the g flag', () => {
    const re = compilePattern('^(?<level>[A-Z]+) (?<msg>.*?)(?: \\[(?<code>\\d{1,5})\\])?$');
    expect(re.exec('WARN disk almost full [507]')?.groups).toEqual({
      level: 'WARN',
      msg: 'disk almost full',
      code: '507',
    });
    expect(re.exec('INFO started')?.groups).toEqual({ level: 'INFO', msg: 'started', code: undefined });
    expect('a1b22c333'.replace(compilePattern('\\d+', 'g'), '#')).toBe('a#b#c#');
    // The same match as irregexp (leftmost, first alternative first: not RE2's leftmost-longest).
    for (const [source, input] of [
      ['a|ab', 'ab'],
      ['a+?', 'aaa'],
      ['(a|ab)(c|bcd)(d*)', 'abcd'],
      ['^(?<k>[^=]*)=(?<v>.*)$', 'a=b=c'],
    ] as const)
      expect(compilePattern(source).exec(input)).toEqual(new RegExp(source).exec(input));
    expect(compilePattern('(?<=user=)\\w+').exec('id=1 user=bob')?.[0]).toBe('bob');
  });

  test('ordinary log patterns are accepted', () => {
    for (const source of [
      '^(?<time>\\w{3} +\\d+ [\\d:]+) (?<host>\\S+) (?<program>[^:\\[]+)(\\[(?<pid>\\d+)\\])?: (?<msg>.*)$',
      '^(?<client>\\S+) \\S+ (?<user>\\S+) \\[(?<time>[^\\]]+)\\] "(?<method>[A-Z]+) (?<path>[^ "]+)',
      '\\b[A-Z]{2}[0-9]{2}[A-Z0-9]{11,16}[A-Z0-9]{0,14}\\b',
      '^\\s+at |^Caused by:',
      '(?<!\\d)\\d{16}\\b',
      '[0-9a-f]{16}[0-9a-f]{16}',
    ])
      expect([source, patternRejection(source)]).toEqual([source, undefined]);
  });
});

describe('what the engine cannot run is rejected with the construct and a fix', () => {
  test.each([
    ['(\\w+) \\1', /backreference \(\\1\)/, /write the repeated text/],
    ['(?<w>\\w+) \\k<w>', /named backreference/, /write the repeated text/],
    ['error(?=: disk)', /lookahead \(\?=/, /match the following text/],
    ['^(?!health).*', /lookahead \(\?!/, /second condition/],
    ['(?<=(a))b', /capture group inside a lookbehind/, /\(\?:\.\.\.\)/],
    ['(?i:error)', /inline modifier/, /\[Ee\]rror/],
    ['[0-9a-f]{32}', /repeats 32 times/, /\[0-9a-f\]\+/],
    ['\\d{1,17}', /repeats 17 times/, /at most|split the count/],
    ['(a{5}){4}', /repeats 20 times.*nested counts multiply/, /split the count/],
    ['((?:ab){3}c){6}', /repeats 18 times/, /split the count/],
  ])('%s', (source, reason, fix) => {
    const r = patternRejection(source);
    expect(r?.reason).toMatch(reason);
    expect(r?.fix).toMatch(fix);
    expect(r?.fix).toMatch(/linear-time engine/);
    expect(() => compilePattern(source)).toThrow(reason);
  });

  test('a pattern that does not compile says so', () => {
    expect(patternRejection('(?<a>x')?.reason).toMatch(/^does not compile: .*Unterminated group/);
    expect(patternRejection('*x')?.reason).toMatch(/^does not compile: .*Nothing to repeat/);
  });

  test('counts of exactly 16, and braces that are no quantifier, are fine', () => {
    for (const source of ['a{16}', '(a{4}){4}', 'x{16,}', 'a{', '{foo}', '[{]{2}', '\\{99\\}'])
      expect([source, patternRejection(source)]).toEqual([source, undefined]);
  });

  test('patterns without groups or repetition stay on the faster backtracking engine, which is linear on them', () => {
    for (const source of ['healthz|readyz', '^GET /api/', '\\bERROR\\b|[Ff]atal', 'a\\+b$'])
      expect([source, boundedBacktracking(source)]).toEqual([source, true]);
    for (const [source] of ADVERSARIAL)
      expect([source, boundedBacktracking(source)]).toEqual([source, false]);
    for (const source of ['(a|b)c', 'a*', 'a+', 'a?', 'a{2}', '(?<=x)y', '(x)\\1', '[(]*'])
      expect([source, boundedBacktracking(source)]).toEqual([source, false]);
    expect(compilePattern('healthz|readyz').flags).not.toContain('l');
    expect(compilePattern('[(]x').flags).not.toContain('l');
    // Their time on a long line that never matches grows linearly too.
    const re = compilePattern('needle|[Hh]aystack!|^x');
    times(re, 'a'.repeat(1000), 'a'.repeat(1000));
    const { best, matched } = times(re, 'a'.repeat(50_000), 'a'.repeat(200_000));
    expect(matched.large).toBe(false);
    expect(best.large).toBeLessThan(10 * Math.max(best.small, 5));
  });
});
