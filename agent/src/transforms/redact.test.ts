// The built-in redactions run on irregexp (the project's own patterns): none may backtrack
// quadratically on what anyone who writes log lines controls.
import { performance } from 'node:perf_hooks';
import { describe, expect, test } from '@jest/globals';
import type { BuiltinRedactPattern } from '../../../contract/agent-config/types.ts';
import { BUILTIN } from './redact.ts';

/** Lines that make a backtracking pattern retry every start position of a long run. */
const HOSTILE: ((n: number) => string)[] = [
  (n) => 'a'.repeat(n),
  (n) => `${'a'.repeat(n)}@`,
  (n) => `x@${'a.'.repeat(n / 2)}`,
  (n) => '1 '.repeat(n / 2),
  (n) => `Bearer ${'a'.repeat(n)}`,
  (n) => `eyJ${'a'.repeat(n)}`,
  (n) => `aws_secret_access_key=${'A'.repeat(n)}`,
];

function ms(re: RegExp, s: string): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    re.lastIndex = 0;
    const t = performance.now();
    re.test(s);
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

describe('built-in redactions', () => {
  test.each(Object.keys(BUILTIN) as BuiltinRedactPattern[])(
    '%s grows linearly with the line on hostile input',
    (name) => {
      const re = BUILTIN[name].re;
      for (const line of HOSTILE) {
        // n and 4n: linear grows ~4x, quadratic ~16x (the old email pattern: 2.4 s at 40 kB). The
        // factor is wide for shared machines, and the floor keeps sub-millisecond noise out.
        const small = ms(re, line(10_000));
        const large = ms(re, line(40_000));
        expect([line(8), large]).toEqual([line(8), expect.any(Number)]);
        expect(large).toBeLessThan(10 * Math.max(small, 5));
      }
    },
  );

  test('email matches what it matched before the lookbehind', () => {
    const re = BUILTIN.email.re;
    re.lastIndex = 0;
    expect('mail bob.smith+x@example.co.uk, a@b.io; c.d@e-f.org. x@y'.match(re)).toEqual([
      'bob.smith+x@example.co.uk',
      'a@b.io',
      'c.d@e-f.org',
    ]);
  });
});
