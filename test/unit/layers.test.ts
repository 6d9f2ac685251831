// The import rules that keep the house readable: the operator and the agent are two programs with
// one contract between them (contract/, and the options.ts of each destination and input), and
// neither reaches into the other (their api.ts is operator code, a destination's sink/ agent code). Product code never
// imports test, script or tool code; scripts never import tests. Every relative import (static,
// dynamic and `export … from`) of every TypeScript file in git is checked.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, test } from '@jest/globals';

const root = join(import.meta.dirname, '..', '..');

/** Areas, by path pattern (first match wins). A destination folder holds one file of each program. */
const AREAS = [
  [/^(destinations|inputs)\/[^/]+\/api\.ts$/, 'operator'],
  [/^destinations\/[^/]+\/sink\//, 'agent'],
  [/^(destinations|inputs)\//, 'contract'],
  ['contract/', 'contract'],
  ['agent/src/', 'agent'],
  ['operator/src/', 'operator'],
  ['cli/', 'cli'],
  ['scripts/', 'scripts'],
  ['tools/', 'tools'],
  ['test/', 'test'],
] as const;
type Area = (typeof AREAS)[number][1];
const matches = (path: string, p: string | RegExp) =>
  typeof p === 'string' ? path.startsWith(p) : p.test(path);

/** Which areas each area may import (besides itself). */
const ALLOWED: Record<Area, readonly Area[]> = {
  contract: [],
  agent: ['contract'],
  operator: ['contract'],
  cli: ['contract', 'agent', 'operator'],
  scripts: ['contract', 'agent', 'operator', 'cli', 'tools'],
  tools: [],
  test: ['contract', 'agent', 'operator', 'cli', 'scripts', 'tools'],
};

const areaOf = (path: string): Area | undefined => AREAS.find(([p]) => matches(path, p))?.[1];

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Relative imports of a source text, resolved to repository paths. */
function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => normalize(join(dirname(file), m[1]!)));
}

/** `file → target: why` for every import that breaks a rule. */
function violations(files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [file, text] of files) {
    const from = areaOf(file);
    if (from === undefined) continue;
    for (const target of importsOf(file, text)) {
      const to = areaOf(target);
      if (to === undefined || to === from || ALLOWED[from].includes(to)) continue;
      out.push(`${file} → ${target}: ${from} may import only ${[from, ...ALLOWED[from]].join(', ')}`);
    }
  }
  return out;
}

describe('import rules', () => {
  test('every file in git keeps them', () => {
    const listed = execFileSync('git', ['ls-files', '*.ts'], { cwd: root, encoding: 'utf8' });
    const files = new Map(
      listed
        .split('\n')
        .filter((f) => f !== '' && areaOf(f) !== undefined)
        .map((f) => [f, readFileSync(join(root, f), 'utf8')] as const),
    );
    expect(files.size).toBeGreaterThan(300);
    expect(violations(files)).toEqual([]);
  });

  test('a violation in each direction is caught', () => {
    const files = new Map([
      ['agent/src/x.ts', "import { a } from '../../operator/src/api/kinds.ts';"],
      ['operator/src/y.ts', "export { b } from '../../agent/src/config/load.ts';"],
      ['operator/src/z.ts', "const m = await import('../../agent/src/main.ts');"],
      ['contract/c.ts', "import type { T } from '../agent/src/record/record.ts';"],
      ['scripts/s.ts', "import { env } from '../test/env/index.ts';"],
      ['cli/k.ts', "import { t } from '../test/unit/agent-harness.ts';"],
      ['destinations/kafka/options.ts', "import { x } from './api.ts';"],
      ['destinations/kafka/sink/index.ts', "import { y } from '../api.ts';"],
      [
        'destinations/kafka/api.ts',
        "import { z } from './sink/index.ts';\nimport { o } from './options.ts';",
      ],
      ['operator/src/ok.ts', "import { c } from '../../contract/selector.ts';\nimport { d } from './d.ts';"],
    ]);
    expect(violations(files).map((v) => v.split(' → ')[0])).toEqual([
      'agent/src/x.ts',
      'operator/src/y.ts',
      'operator/src/z.ts',
      'contract/c.ts',
      'scripts/s.ts',
      'cli/k.ts',
      'destinations/kafka/options.ts',
      'destinations/kafka/sink/index.ts',
      'destinations/kafka/api.ts',
    ]);
  });

  test('relative paths resolve from the importing file', () => {
    expect(importsOf('operator/src/a/b.ts', "import x from '../../../contract/report.ts';")).toEqual([
      'contract/report.ts',
    ]);
  });
});
