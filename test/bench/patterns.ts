// The cost of the linear-time engine that runs tenant patterns (contract/patterns.ts) on the
// normal workload, against V8's backtracking engine (irregexp) running the same patterns: each
// field that takes a tenant pattern, used the way the agent uses it, on a typical line. Measured
// in-process as CPU time (process.cpuUsage) per call, the median of BENCH_RUNS runs. Then the
// adversarial lines that irregexp cannot finish, on the linear engine only.
import { cpus } from 'node:os';
import { compilePattern } from '../../contract/patterns.ts';

const ACCESS =
  '10.1.2.3 - alice [12/Mar/2025:10:00:01 +0000] "GET /api/v1/orders/12345?expand=items HTTP/1.1" 200 5123 "-" "Mozilla/5.0 (X11; Linux x86_64)" 0.012';
const MESSAGE =
  'payment 7f3a9c provider=acme amount=12.50 currency=EUR status=accepted latency_ms=41 attempt=1 user=bob region=eu-west-1';

interface Case {
  name: string;
  field: string;
  source: string;
  input: string;
  flags?: string;
  /** What the agent does with the RegExp for one record. */
  use: (re: RegExp, input: string) => unknown;
}

const CASES: Case[] = [
  {
    name: 'access-log line, 11 named groups',
    field: 'parse.regex',
    source:
      '^(?<client>\\S+) \\S+ (?<user>\\S+) \\[(?<time>[^\\]]+)\\] "(?<method>[A-Z]+) (?<path>[^ "]+) (?<proto>[^"]+)" (?<status>\\d{3}) (?<bytes>\\d+|-) "(?<referer>[^"]*)" "(?<agent>[^"]*)" (?<duration>\\S+)$',
    input: ACCESS,
    use: (re, s) => re.exec(s)?.groups,
  },
  {
    name: 'path prefix on a field',
    field: 'filters[].drop.when.matches',
    source: '^/api/v[0-9]+/(orders|payments)',
    input: '/api/v1/orders/12345?expand=items',
    use: (re, s) => re.test(s),
  },
  {
    name: 'words anywhere in a 120-character message (no match)',
    field: 'filters[].keep.when.matches',
    source: 'timeout|connection refused|OOMKilled',
    input: MESSAGE,
    use: (re, s) => re.test(s),
  },
  {
    name: 'timestamp at the start of a line',
    field: 'parse.multiline.startPattern',
    source: '^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}',
    input: `2025-03-12T10:00:01.123Z ${MESSAGE}`,
    use: (re, s) => re.test(s),
  },
  {
    name: 'IBAN in a 120-character message (no match: the usual case)',
    field: 'filters[].redact.custom[].regex',
    source: '\\b[A-Z]{2}[0-9]{2}[A-Z0-9]{11,16}[A-Z0-9]{0,14}\\b',
    flags: 'g',
    input: MESSAGE,
    use: redact,
  },
  {
    name: 'IBAN in a 140-character message (one match, replaced)',
    field: 'filters[].redact.custom[].regex',
    source: '\\b[A-Z]{2}[0-9]{2}[A-Z0-9]{11,16}[A-Z0-9]{0,14}\\b',
    flags: 'g',
    input: `refund to DE89370400440532013000 ${MESSAGE}`,
    use: redact,
  },
];

// As agent/src/transforms/redact.ts: test first, replace only on a match.
function redact(re: RegExp, s: string): string {
  re.lastIndex = 0;
  if (!re.test(s)) return s;
  re.lastIndex = 0;
  return s.replace(re, '[REDACTED]');
}

/** CPU nanoseconds per call of `use`, over enough calls to take ~0.3 CPU-s. */
function perCall(re: RegExp, c: Case): number {
  for (let i = 0; i < 2000; i++) c.use(re, c.input);
  let n = 1000;
  for (;;) {
    const t = process.cpuUsage();
    for (let i = 0; i < n; i++) c.use(re, c.input);
    const d = process.cpuUsage(t);
    const us = d.user + d.system;
    if (us > 300_000) return (us * 1000) / n;
    n *= 2;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (ns: number) => (ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${Math.round(ns)} ns`);

const ADVERSARIAL: [string, string][] = [
  ['^(\\w+\\s?)+$', `${'a'.repeat(50_000)}!`],
  ['(a|aa)+b', 'a'.repeat(50_000)],
  ['(.*a){16}x', 'a'.repeat(50_000)],
  ['(?<k>\\w+)=(?<v>\\w+);', 'a'.repeat(50_000)],
];

export function patternEngine(runs: number): string {
  const rows: string[] = [];
  for (const c of CASES) {
    const back = new RegExp(c.source, c.flags ?? '');
    const lin = compilePattern(c.source, c.flags ?? '');
    if (JSON.stringify(c.use(back, c.input)) !== JSON.stringify(c.use(lin, c.input)))
      throw new Error(`${c.name}: the engines disagree`);
    const b: number[] = [];
    const l: number[] = [];
    for (let i = 0; i < runs; i++) {
      b.push(perCall(back, c));
      l.push(perCall(lin, c));
    }
    const mb = median(b);
    const ml = median(l);
    process.stdout.write(
      `  ${c.field}: ${c.name}: irregexp ${fmt(mb)}, linear ${fmt(ml)}, ×${(ml / mb).toFixed(1)}\n`,
    );
    // compilePattern keeps patterns without groups or repetition on irregexp (boundedBacktracking).
    const engine = lin.flags.includes('l') ? '' : ' (stays on irregexp)';
    rows.push(
      `| \`${c.field}\` | ${c.name}${engine} | ${fmt(mb)} | ${fmt(ml)} | ×${(ml / mb).toFixed(1)} | ${ml >= mb ? '+' : '−'}${(Math.abs(ml - mb) / 1000).toFixed(2)} µs |`,
    );
  }
  const evil: string[] = [];
  for (const [source, input] of ADVERSARIAL) {
    const re = compilePattern(source);
    const t = process.cpuUsage();
    re.test(input);
    const d = process.cpuUsage(t);
    evil.push(
      `| \`${source.replace(/\|/g, '\\|')}\` | ${input.length.toLocaleString('en')} | ${((d.user + d.system) / 1000).toFixed(1)} ms |`,
    );
  }
  return [
    '## Tenant pattern engine (issue 14)',
    '',
    'Every tenant pattern runs on V8’s linear-time engine (`contract/patterns.ts`); irregexp, V8’s',
    'backtracking engine, is what `new RegExp` would run. CPU time per call, median of',
    `${runs} runs, the agent’s use of each field (exec and groups for parse, test for conditions and`,
    'multiline, test then replace for redaction). `npm run bench` with `BENCH_ONLY=patterns`;',
    `this run: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| field | workload | irregexp | linear engine | ratio | added per record |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    'Adversarial lines on the linear engine (irregexp does not finish the first three in any',
    'useful time, and takes seconds on the last, which is quadratic):',
    '',
    '| pattern | line length | CPU |',
    '|---|---|---|',
    ...evil,
    '',
    'The price is paid per call that runs a tenant pattern: about 15 µs for a regex parse of an',
    'access-log line, 1–20 µs per `matches` condition (unanchored searches cost most), against about',
    '3 µs of agent CPU per record on the standard workload (§1) — a pipeline with a regex parse and',
    'one unanchored condition does roughly a third to a tenth of the records per CPU-second of a',
    'JSON pipeline. Pipelines without tenant patterns (JSON, logfmt, the built-in redactions and',
    'multiline presets) pay nothing.',
    '',
    'Why this engine (measured 2026-12-02 on the same machine, Node 24.21, figures per call or per',
    'line): irregexp with `--enable-experimental-regexp-engine-on-excessive-backtracks` keeps',
    'irregexp’s speed but only catches exponential cases: quadratic patterns are not counted as',
    'backtracking and never fall back (`(?<k>\\w+)=(?<v>\\w+);` 2.7 s, `[A-Za-z0-9._%+-]+@` 3.5 s,',
    '`.*x` 2.4 s on a 40 kB line; minutes at the 1 MiB record limit), so it is no defence. `re2js`',
    '2.10 (RE2 in JavaScript) parses the access-log line in 30 µs (0.4 µs for a test, on its DFA);',
    '`re2-wasm` 1.0.2 in 83 µs; the native `re2` binding needs a compiler in the image build. V8’s',
    'engine needs no dependency, keeps the JavaScript dialect and named groups, and is the fastest of',
    'the linear options for parsing.',
    '',
  ].join('\n');
}
