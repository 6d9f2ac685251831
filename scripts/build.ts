// `npm run build`: compile the CLI, operator and agent to dist/ (what the container images run:
// `node dist/cli/entry.js <command>`). tsc rewrites the `.ts` import specifiers to `.js`
// (rewriteRelativeImportExtensions); the generated ajv validators are plain JavaScript that tsc
// does not emit, so they are copied beside the compiled modules.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
/** Runtime files that are not TypeScript sources, relative to the repository root. */
export const RUNTIME_ASSETS = ['operator/src/api/validators.generated.js'];

rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write('build: tsc failed (see above); dist/ is incomplete\n');
  process.exit(r.status ?? 1);
}
for (const rel of RUNTIME_ASSETS) {
  mkdirSync(dirname(join(root, 'dist', rel)), { recursive: true });
  copyFileSync(join(root, rel), join(root, 'dist', rel));
}
process.stdout.write('build: dist/ ready (node dist/cli/entry.js)\n');
