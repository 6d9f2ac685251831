// Tenant-supplied regular expressions (parse.regex, a condition's `matches`, multiline start and
// continue patterns, custom redactions) run on V8's linear-time engine: an NFA simulation whose
// time grows with the length of the line times the size of the pattern, never exponentially
// (no catastrophic backtracking). One source of truth for both programs: the operator and
// `sluice validate` reject what `patternRejection` rejects, the agent validates its config with it
// and compiles every tenant pattern with `compilePattern`, so the two cannot disagree.
//
// The engine is V8's, enabled with `--enable-experimental-regexp-engine` (the `l` flag). It is
// set at run time (NODE_OPTIONS does not accept the flag) before the first tenant pattern is
// compiled; V8 reads it when a RegExp is constructed. The dialect is JavaScript's, minus what the
// engine cannot do in linear time: backreferences, lookahead, capture groups inside a lookbehind,
// inline modifiers ((?i:...)) and counted repetitions above 16 (nested counts multiply). Why this
// engine and not irregexp with a fallback on excessive backtracking (quadratic patterns such as
// `(?<k>\w+)=(?<v>\w+);` are never counted as backtracking and take seconds on a 40 kB line) or a
// JavaScript or WebAssembly RE2 (slower still on the parse workload): docs/benchmarks.md.
import { setFlagsFromString } from 'node:v8';

/** The largest count of a counted repetition the linear engine runs (V8's kMaxReplicationFactor). */
export const MAX_REPETITION = 16;

let engineOn = false;

/** Turns on V8's linear-time engine (the `l` flag) for this process; idempotent. */
export function enableLinearEngine(): void {
  if (engineOn) return;
  setFlagsFromString('--enable-experimental-regexp-engine');
  engineOn = true;
}

/** Why a pattern is refused, and what to write instead. */
export interface PatternRejection {
  reason: string;
  fix: string;
}

/**
 * Undefined when `source` is a JavaScript regular expression that the linear-time engine runs;
 * otherwise why not, naming the construct, and what to write instead.
 */
export function patternRejection(source: string): PatternRejection | undefined {
  try {
    new RegExp(source);
  } catch (err) {
    return {
      reason: `does not compile: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
      fix: 'use JavaScript regular expression syntax; escape literal characters such as ( [ { . with a backslash',
    };
  }
  enableLinearEngine();
  try {
    new RegExp(source, 'l');
    return undefined;
  } catch {
    return diagnose(source);
  }
}

/**
 * The RegExp of a tenant pattern, on the linear-time engine. Throws with the rejection's words when
 * the engine cannot run it (validation refuses such a pattern first). `flags` may add `g`.
 */
export function compilePattern(source: string, flags = ''): RegExp {
  const rejected = patternRejection(source);
  if (rejected !== undefined)
    throw new Error(`regular expression ${JSON.stringify(source)} ${rejected.reason} (${rejected.fix})`);
  return new RegExp(source, boundedBacktracking(source) ? flags : `${flags}l`);
}

/**
 * True when the backtracking engine (irregexp, many times faster than the linear one) is linear on
 * `source` too: no group, no repetition, no backreference, so each start position is tried against
 * at most the pattern's own length — alternatives of literals, classes and anchors, as in the
 * commonest condition (`matches: "healthz|readyz"`). Anything else goes to the linear engine.
 */
export function boundedBacktracking(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const n = source[++i];
      // \1 and \k<name> are backreferences; \p{…} and \u{…} are not reached (no u flag).
      if (n === undefined || (n >= '0' && n <= '9') || n === 'k') return false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(' || c === ')' || c === '*' || c === '+' || c === '?' || c === '{') return false;
  }
  return !inClass;
}

const LINEAR = 'patterns run on a linear-time engine so that no line can stall the agent';

/** Names the construct the linear engine refused; V8 only says "cannot be executed in linear time". */
function diagnose(source: string): PatternRejection {
  // One pass over the source (JavaScript syntax without the u flag): escapes, classes, groups and
  // the product of nested counted repetitions.
  const frames: { lookbehind: boolean; product: number }[] = [{ lookbehind: false, product: 1 }];
  let lastGroupProduct = 0; // the inner product of a group that just closed, 0 after any other atom
  let maxCount = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    const top = frames[frames.length - 1] as { lookbehind: boolean; product: number };
    if (c === '\\') {
      const n = source[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(n))
        return {
          reason: `uses a backreference (\\${n}): matching what a group matched earlier cannot be done in linear time`,
          fix: `write the repeated text as a pattern of its own, or match more loosely and filter later; ${LINEAR}`,
        };
      if (!inClass && n === 'k' && source[i + 2] === '<')
        return {
          reason:
            'uses a named backreference (\\k<name>): matching what a group matched earlier cannot be done in linear time',
          fix: `write the repeated text as a pattern of its own; ${LINEAR}`,
        };
      i++;
      lastGroupProduct = 0;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      lastGroupProduct = 0;
      continue;
    }
    if (c === '(') {
      const head = source.slice(i, i + 4);
      if (head.startsWith('(?=') || head.startsWith('(?!'))
        return {
          reason: `uses a lookahead ${head.slice(0, 3)}...): it cannot be run in linear time`,
          fix: `match the following text as part of the pattern, or use a second condition (all/not); ${LINEAR}`,
        };
      const lookbehind = head.startsWith('(?<=') || head.startsWith('(?<!');
      if (!lookbehind && /^\(\?[-imsx]/.test(head))
        return {
          reason: 'uses an inline modifier such as (?i:...): it cannot be run in linear time',
          fix: `spell the cases out, e.g. [Ee]rror; ${LINEAR}`,
        };
      const capturing = !head.startsWith('(?') || (head.startsWith('(?<') && !lookbehind);
      if (capturing && frames.some((f) => f.lookbehind))
        return {
          reason: 'has a capture group inside a lookbehind: it cannot be run in linear time',
          fix: `use a non-capturing group (?:...) inside the lookbehind; ${LINEAR}`,
        };
      frames.push({ lookbehind, product: 1 });
      continue;
    }
    if (c === ')') {
      if (frames.length > 1) {
        frames.pop();
        const parent = frames[frames.length - 1] as { lookbehind: boolean; product: number };
        parent.product = Math.max(parent.product, top.product);
        lastGroupProduct = top.product;
      }
      continue;
    }
    if (c === '{') {
      const q = /^\{(\d+)(?:,(\d*))?\}/.exec(source.slice(i));
      if (q !== null) {
        const count = Math.max(Number(q[1]), q[2] ? Number(q[2]) : 0);
        const product = count * Math.max(1, lastGroupProduct);
        maxCount = Math.max(maxCount, product);
        top.product = Math.max(top.product, product);
        i += q[0].length - 1;
        lastGroupProduct = 0;
        continue;
      }
    }
    lastGroupProduct = 0;
  }
  if (maxCount > MAX_REPETITION)
    return {
      reason: `repeats ${maxCount} times in a counted repetition ({n} or {n,m}; nested counts multiply): the linear-time engine allows at most ${MAX_REPETITION}`,
      fix: `use + or * (e.g. [0-9a-f]+ instead of [0-9a-f]{32}), or split the count (e.g. [0-9a-f]{16}[0-9a-f]{16}); ${LINEAR}`,
    };
  return {
    reason: 'cannot be run by the linear-time engine',
    fix: `drop backreferences, lookaheads and inline modifiers, and keep counted repetitions at most {${MAX_REPETITION}}; ${LINEAR}`,
  };
}
