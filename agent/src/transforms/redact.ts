// Redaction: whole values of named fields (any depth, case-insensitive), and pattern matches in
// every string (the message, or each string value of the parsed fields).
import type { BuiltinRedactPattern } from '../../../contract/agent-config/types.ts';
import { compilePattern } from '../../../contract/patterns.ts';
import type { LogRecord } from '../record/record.ts';

function luhn(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

interface Rule {
  re: RegExp;
  replace: (match: string, replacement: string) => string;
}

const whole = (_: string, rep: string) => rep;

export const BUILTIN: Record<BuiltinRedactPattern, Rule> = {
  creditCard: {
    re: /\b\d(?:[ -]?\d){12,18}\b/g,
    replace: (m, rep) => {
      const d = m.replace(/[ -]/g, '');
      return d.length >= 13 && d.length <= 19 && luhn(d) ? rep : m;
    },
  },
  // The local part starts where a run of its characters starts (the lookbehind): without it every
  // position inside a long run is tried again to its end, quadratic — seconds on a 40 kB line.
  // The matches are the same (the leftmost match of a run always starts at its first character).
  email: { re: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, replace: whole },
  bearerToken: {
    re: /\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi,
    replace: (m, rep) => `${m.slice(0, 6)} ${rep}`,
  },
  awsKey: {
    re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b|(aws_secret_access_key\s*[=:]\s*)[A-Za-z0-9/+=]{40}/g,
    replace: (m, rep) => {
      const i = m.search(/[=:]\s*/);
      return m.startsWith('aws_') && i > 0 ? `${m.slice(0, i + 1)}${rep}` : rep;
    },
  },
  jwt: { re: /\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, replace: whole },
};

export function makeRedactor(opts: {
  fields?: string[];
  patterns?: BuiltinRedactPattern[];
  custom?: { name: string; regex: string }[];
  replacement?: string;
}): (r: LogRecord) => void {
  const rep = opts.replacement ?? '[REDACTED]';
  const names = new Set((opts.fields ?? []).map((f) => f.toLowerCase()));
  const rules: Rule[] = [
    ...(opts.patterns ?? []).map((p) => BUILTIN[p]),
    // Tenant patterns, on the linear-time engine (contract/patterns.ts).
    ...(opts.custom ?? []).map((c) => ({ re: compilePattern(c.regex, 'g'), replace: whole })),
  ];
  const text = (s: string): string => {
    let out = s;
    for (const rule of rules) {
      rule.re.lastIndex = 0;
      if (rule.re.test(out)) {
        rule.re.lastIndex = 0;
        out = out.replace(rule.re, (m) => rule.replace(m, rep));
      }
    }
    return out;
  };
  const walk = (o: Record<string, unknown>): boolean => {
    let changed = false;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (names.has(k.toLowerCase())) {
        o[k] = rep;
        changed = true;
      } else if (typeof v === 'string') {
        const t = text(v);
        if (t !== v) {
          o[k] = t;
          changed = true;
        }
      } else if (v !== null && typeof v === 'object') changed = walk(v as Record<string, unknown>) || changed;
    }
    return changed;
  };
  return (r) => {
    if (r.fields !== undefined) {
      if (walk(r.fields)) r.pristine = false;
    } else r.message = text(r.message);
  };
}
