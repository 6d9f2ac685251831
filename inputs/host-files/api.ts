// Host files: plain-text files of every node that a ClusterLogPipeline collects, in its `input`
// block and in the agent config (options.ts beside it; the agent reads them through
// agent/src/sources/host_files/). Paths stay under /var/log.
import { arr, obj, type Schema, str } from '../../operator/src/api/dsl.ts';
import { drop } from '../../operator/src/compile/values.ts';
import type { Input } from '../../operator/src/inputs/types.ts';
import { problem } from '../../operator/src/validate/problem.ts';

export const api: Input = {
  fields: (cluster): Record<string, Schema> =>
    cluster
      ? {
          hostFiles: obj(
            'Plain-text files on every node, such as `/var/log/syslog`.',
            {
              paths: arr(
                'Absolute paths or globs (`*`, `**`) under /var/log.',
                str('Path or glob.', { maxLength: 1024, pattern: '^/var/log/' }),
                { minItems: 1, maxItems: 32, example: ['/var/log/syslog', '/var/log/auth.log'] },
              ),
              exclude: arr('Globs to skip.', str('Glob.', { maxLength: 1024 }), { maxItems: 32 }),
            },
            { required: ['paths'] },
          ),
        }
      : {},
  asked: {
    cel: 'has(self.hostFiles)',
    test: (input) => input.hostFiles !== undefined,
    hint: 'input.hostFiles',
  },
  check: (input) =>
    (input.hostFiles?.paths ?? []).flatMap((p, i) =>
      p.split('/').includes('..')
        ? [
            problem(
              `spec.input.hostFiles.paths[${i}]`,
              `"${p}" climbs out of /var/log with ".."`,
              'name files under /var/log only',
            ),
          ]
        : [],
    ),
  compile(p) {
    if (p.kind === 'LogPipeline') return {};
    const h = p.spec.input?.hostFiles;
    return h ? { hostFiles: drop({ paths: h.paths, exclude: h.exclude }) } : {};
  },
};
