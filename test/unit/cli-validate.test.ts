// `sluice validate` as users run it: a spawned process, real files, stdin, exit codes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';

const root = join(import.meta.dirname, '../..');
// The Node the project pins, whichever Node runs jest.
const pinned = join(root, 'node_modules/.bin/node');
const node = existsSync(pinned) ? pinned : process.execPath;
function sluice(args: string[], input?: string) {
  const r = spawnSync(node, [join(root, 'bin/sluice.js'), ...args], {
    input,
    encoding: 'utf8',
    cwd: root,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const valid = `apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: debug, namespace: shop}
spec: {stdout: {}}
`;
const invalid = `apiVersion: sluice.dev/v1alpha1
kind: LogPipeline
metadata: {name: checkout, namespace: shop}
spec:
  outputs: [{name: debug}]
  parse: {format: regex, regex: "(?<a>"}
`;

describe('sluice validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-validate-'));
  writeFileSync(join(dir, 'ok.yaml'), valid);
  writeFileSync(join(dir, 'bad.yaml'), `${valid}---\n${invalid}`);

  test('the examples directory is valid: exit 0 and a summary', () => {
    const r = sluice(['validate', '-f', 'examples/']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^\d+ resources valid\n$/);
  });

  test('a problem: exit 1, one line FILE:DOC KIND/NAME: path: message', () => {
    const r = sluice(['validate', '-f', join(dir, 'bad.yaml')]);
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      `${join(dir, 'bad.yaml')}:2 LogPipeline/checkout: spec.parse.regex: regular expression does not compile: /(?<a>/: Unterminated group (use JavaScript regular expression syntax; escape literal characters such as ( [ { . with a backslash)\n`,
    );
    expect(r.err).toContain('1 problem in 1 document; 1 valid');
  });

  test('stdin with -f -', () => {
    expect(sluice(['validate', '-f', '-'], valid).code).toBe(0);
    const r = sluice(['validate', '-f', '-'], invalid);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^<stdin>:1 LogPipeline\/checkout: spec\.parse\.regex: /);
  });

  test('directories are read recursively and non-manifests ignored', () => {
    const tree = mkdtempSync(join(tmpdir(), 'sluice-tree-'));
    mkdirSync(join(tree, 'a/b'), { recursive: true });
    writeFileSync(join(tree, 'a/b/out.yml'), valid);
    writeFileSync(join(tree, 'README.md'), '# not yaml: [');
    writeFileSync(join(tree, 'a/pipe.yaml'), invalid);
    const r = sluice(['validate', '-f', tree]);
    expect(r.code).toBe(1);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toContain(join(tree, 'a/pipe.yaml'));
  });

  test('json output is machine-readable', () => {
    const r = sluice(['validate', '-o', 'json', '-f', join(dir, 'bad.yaml')]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({
      valid: 1,
      invalid: 1,
      findings: [{ kind: 'LogPipeline', name: 'checkout', document: 2, line: 6 }],
    });
  });

  test('syntax errors and missing files are problems, not crashes', () => {
    writeFileSync(join(dir, 'syntax.yaml'), 'kind: [\n');
    const r = sluice(['validate', '-f', join(dir, 'syntax.yaml'), '-f', join(dir, 'missing.yaml')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('syntax.yaml:1 ?/?: (document): YAML syntax error at line');
    expect(r.out).toContain('missing.yaml:0 ?/?: (document): no such file or directory');
  });

  test('usage errors exit 2; --help exits 0', () => {
    expect(sluice(['validate']).code).toBe(2);
    expect(sluice(['validate', '--bogus']).code).toBe(2);
    const help = sluice(['validate', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: sluice validate');
  });

  test('the top-level command: version, help, unknown commands', () => {
    expect(sluice(['version']).out).toMatch(/^sluice \d+\.\d+\.\d+\n$/);
    expect(sluice(['--help']).code).toBe(0);
    const r = sluice(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'frobnicate'");
  });
});
