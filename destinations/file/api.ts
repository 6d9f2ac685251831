// NDJSON files on each node, for debugging and local runs: the file block of LogOutput /
// ClusterLogOutput and its agent options (options.ts; the sink is sink/). A file stays inside its
// output's own directory under the data dir.
import { int, obj, quantity, str } from '../../operator/src/api/dsl.ts';
import { GiB } from '../../operator/src/api/units.ts';
import { bytes, drop } from '../../operator/src/compile/values.ts';
import type { Destination } from '../../operator/src/destinations/types.ts';
import { checkQuantity } from '../../operator/src/validate/checks.ts';
import { problem } from '../../operator/src/validate/problem.ts';

export const api: Destination<'file'> = {
  schema: () =>
    obj(
      'NDJSON files on each node, under the agent data directory (for debugging and local runs).',
      {
        path: str('File name relative to `<agent data dir>/files/<namespace>/`.', {
          maxLength: 255,
          minLength: 1,
          pattern: '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$',
          example: 'checkout.ndjson',
        }),
        maxSize: quantity('Rotate the file at this size.', { default: '100Mi' }),
        maxFiles: int('Rotated files to keep.', { minimum: 1, maximum: 100, default: 5 }),
      },
      { required: ['path'] },
    ),
  check: (f, at) => [
    ...(f.path.split('/').some((seg) => seg === '.' || seg === '..')
      ? [
          problem(
            `${at}.path`,
            `"${f.path}" must stay inside the output directory`,
            'use a plain relative name such as app.ndjson, without "." or ".." segments',
          ),
        ]
      : []),
    ...checkQuantity(`${at}.maxSize`, f.maxSize, { min: 1024, max: 100 * GiB }),
  ],
  compile: (f, ctx) => ({
    options: drop({
      path: `${ctx.dataDir}/files/${ctx.namespace ?? '_cluster'}/${f.path}`,
      rotateBytes: bytes(f.maxSize),
      maxFiles: f.maxFiles,
    }),
  }),
};
