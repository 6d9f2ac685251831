// Container logs: the namespaces, pods, containers and streams a pipeline collects, in its `input`
// block and in the agent config (options.ts beside it; the agent reads them through
// agent/src/sources/kubernetes_logs/). A LogPipeline is pinned to its own namespace.
import { matchesSelector } from '../../contract/selector.ts';
import { labelSelector } from '../../operator/src/api/common.ts';
import { arr, bool, enumOf, obj, type Schema, str } from '../../operator/src/api/dsl.ts';
import { drop } from '../../operator/src/compile/values.ts';
import type { Input, InputCompileContext } from '../../operator/src/inputs/types.ts';
import { checkSelector } from '../../operator/src/validate/checks.ts';
import { type Problem, problem } from '../../operator/src/validate/problem.ts';

const containers: Schema = obj(
  'Which containers of the selected pods to collect. Both lists take exact names.',
  {
    include: arr('Only these containers. Empty = all.', str('Container name.', { maxLength: 63 }), {
      maxItems: 32,
    }),
    exclude: arr('Never these containers (e.g. `istio-proxy`).', str('Container name.', { maxLength: 63 }), {
      maxItems: 32,
    }),
  },
);

const streams: Schema = arr('Which output streams to collect.', enumOf('A stream.', ['stdout', 'stderr']), {
  default: ['stdout', 'stderr'],
  minItems: 1,
  maxItems: 2,
  'x-kubernetes-list-type': 'set',
});

const namespaces: Schema = obj(
  'Namespaces whose containers are collected. Omit to collect no container logs (host files only); set `{}` for all namespaces.',
  {
    include: arr('Only these namespaces. Empty = all.', str('Namespace.', { maxLength: 63 }), {
      maxItems: 256,
    }),
    exclude: arr('Never these namespaces.', str('Namespace.', { maxLength: 63 }), { maxItems: 256 }),
    selector: labelSelector('Namespaces whose labels match.'),
  },
);

const overlap = (path: string, what: string, include: string[] | undefined, exclude: string[] | undefined) =>
  (exclude ?? [])
    .filter((x) => include?.includes(x))
    .map((x) => problem(path, `${what} "${x}" is both included and excluded`));

/** A ClusterLogPipeline's namespaces as names: the agent filters by name, the operator resolves selectors. */
function clusterNamespaces(
  sel: NonNullable<Parameters<Input['check']>[0]['namespaces']>,
  ctx: InputCompileContext,
) {
  let include = sel.include?.length ? [...sel.include] : undefined;
  if (sel.selector && (sel.selector.matchLabels || sel.selector.matchExpressions)) {
    // The operator re-renders when namespace labels change. Without namespace knowledge
    // (offline), the selector matches none.
    const matched = [...(ctx.namespaces ?? new Map()).entries()]
      .filter(([name, labels]) =>
        matchesSelector(sel.selector!, { ...labels, 'kubernetes.io/metadata.name': name }),
      )
      .map(([name]) => name);
    include = include ? include.filter((n) => matched.includes(n)) : matched;
    if (include.length === 0) include = ['\u0000none'];
  }
  return drop({
    include: include?.sort(),
    exclude: sel.exclude?.length ? [...sel.exclude].sort() : undefined,
  });
}

export const api: Input = {
  fields: (cluster): Record<string, Schema> =>
    cluster
      ? {
          namespaces,
          pods: labelSelector('Pods (in the selected namespaces) whose logs are collected.'),
          containers,
          streams,
          includeAgentLogs: bool(
            "Also collect the logs of Sluice's own agent pods (off by default to avoid feedback loops).",
            { default: false },
          ),
          honorExcludeAnnotation: bool(
            'Skip pods annotated `sluice.dev/exclude: "true"`. Off by default: the annotation is set by whoever owns the pod, so it must not hide logs from a platform pipeline (audit, security); turn it on for pipelines where the app teams may opt their pods out. LogPipelines always honour it in their own namespace.',
            { default: false },
          ),
        }
      : { pods: labelSelector('Pods of this namespace whose logs are collected.'), containers, streams },
  asked: {
    cel: 'has(self.namespaces)',
    test: (input) => input.namespaces !== undefined,
    hint: 'input.namespaces ({} for all namespaces)',
  },
  check(input, cluster): Problem[] {
    return [
      ...checkSelector('spec.input.pods', input.pods),
      ...(cluster
        ? [
            ...checkSelector('spec.input.namespaces.selector', input.namespaces?.selector),
            ...overlap(
              'spec.input.namespaces.exclude',
              'namespace',
              input.namespaces?.include,
              input.namespaces?.exclude,
            ),
          ]
        : []),
      ...overlap(
        'spec.input.containers.exclude',
        'container',
        input.containers?.include,
        input.containers?.exclude,
      ),
    ];
  },
  compile(p, ctx) {
    const input = p.spec.input ?? {};
    const own = drop({ pods: input.pods, containers: input.containers, streams: input.streams });
    if (p.kind === 'LogPipeline') return { ...own, namespaces: { include: [p.metadata.namespace!] } };
    const cluster = p.spec.input ?? {}; // the same block, typed as a ClusterLogPipeline's
    return drop({
      ...own,
      ...(cluster.namespaces
        ? { namespaces: clusterNamespaces(cluster.namespaces, ctx) }
        : { containerLogs: false as const }),
      includeAgentPods: cluster.includeAgentLogs ? true : undefined,
      excludeAnnotation: cluster.honorExcludeAnnotation ? true : undefined,
    });
  },
};
