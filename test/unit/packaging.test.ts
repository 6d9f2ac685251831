// The packaging's static promises, checked without a cluster: the chart's values have one source,
// the operator's RBAC can grant what it renders, the dashboard reads metrics that exist, the
// Dockerfiles copy what exists and run commands the CLI has, the Argo CD status fixtures are
// shaped like the API's status schema.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { Ajv } from 'ajv';
import * as yaml from 'js-yaml';
import { makeMetrics } from '../../agent/src/ops/metrics.ts';
import { AgentStats } from '../../agent/src/ops/stats.ts';
import { AGENT_ENV, AGENT_NODE_OPTIONS } from '../../contract/node-flags.ts';
import { CONDITION, REASON } from '../../operator/src/api/conditions.ts';
import type { Schema } from '../../operator/src/api/dsl.ts';
import { kindDef } from '../../operator/src/api/kinds.ts';
import { makeOperatorMetrics } from '../../operator/src/ops/metrics.ts';
import { defaultSettings, renderAll } from '../../operator/src/render/index.ts';
import {
  OPERATOR_NAMESPACE_RULES,
  operatorClusterRules,
  type PolicyRule,
} from '../../operator/src/render/operator-rbac.ts';
import { valuePaths } from '../../scripts/chart/emit-values.ts';
import { VALUES, type Value } from '../../scripts/chart/values.ts';
import { NODE_FLAGS } from '../bench/agent-throughput.ts';

const root = join(import.meta.dirname, '../..');
const read = (rel: string) => readFileSync(join(root, rel), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects parsed from YAML/JSON
type Obj = Record<string, any>;
const bundle = yaml.loadAll(read('manifests/sluice.yaml')).filter(Boolean) as Obj[];
const find = (kind: string, name: string) => {
  const o = bundle.find((d) => d.kind === kind && d.metadata.name === name);
  if (!o) throw new Error(`manifests/sluice.yaml has no ${kind} ${name}`);
  return o;
};

function defaults(g = VALUES): Obj {
  return Object.fromEntries(
    Object.entries(g.fields).map(([k, n]) => [k, n.kind === 'group' ? defaults(n) : (n as Value).default]),
  );
}

describe('chart values', () => {
  test('values.yaml holds exactly the defaults of scripts/chart/values.ts', () => {
    expect(yaml.load(read('charts/sluice/values.yaml'))).toEqual(defaults());
  });

  test('values.schema.json accepts the defaults and rejects unknown and mistyped values', () => {
    const validate = new Ajv({ strict: false }).compile(JSON.parse(read('charts/sluice/values.schema.json')));
    expect(validate(defaults())).toBe(true);
    expect(validate({ ...defaults(), operatr: {} })).toBe(false);
    expect(validate({ ...defaults(), operator: { ...defaults().operator, replicas: 0 } })).toBe(false);
    expect(validate({ ...defaults(), image: { ...defaults().image, pullPolicy: 'Sometimes' } })).toBe(false);
  });

  test('the chart README documents every value', () => {
    const readme = read('charts/sluice/README.md');
    for (const p of valuePaths()) expect(readme).toContain(`| \`${p}\` |`);
  });
});

describe('operator settings and RBAC in the install bundle', () => {
  test('the settings ConfigMap carries exactly the fields of RenderSettings', () => {
    const cm = find('ConfigMap', 'sluice-operator-settings');
    const settings = JSON.parse(cm.data['settings.json']);
    expect(Object.keys(settings).sort()).toEqual(Object.keys(defaultSettings()).sort());
    // The chart's defaults and the operator's own defaults agree.
    expect(settings).toEqual(defaultSettings({ operatorPodLabels: settings.operatorPodLabels }));
  });

  test('the operator pods carry the labels the agent NetworkPolicy admits', () => {
    const settings = JSON.parse(find('ConfigMap', 'sluice-operator-settings').data['settings.json']);
    const labels = find('Deployment', 'sluice-operator').spec.template.metadata.labels;
    expect(labels).toMatchObject(settings.operatorPodLabels);
  });

  test('the ClusterRole and Role are operator-rbac.ts, verbatim', () => {
    expect(find('ClusterRole', 'sluice-operator').rules).toEqual(
      operatorClusterRules('sluice-agent', 'sluice-operator'),
    );
    expect(find('Role', 'sluice-operator').rules).toEqual(OPERATOR_NAMESPACE_RULES);
  });

  // RBAC forbids granting what one does not hold, and the operator must create, update and prune
  // every object it renders: check both against the real render output.
  const holds = (rules: PolicyRule[], group: string, resource: string, verb: string, name?: string) =>
    rules.some(
      (r) =>
        (r.apiGroups.includes(group) || r.apiGroups.includes('*')) &&
        (r.resources.includes(resource) || r.resources.includes('*')) &&
        (r.verbs.includes(verb) || r.verbs.includes('*')) &&
        (r.resourceNames === undefined || (name !== undefined && r.resourceNames.includes(name))),
    );
  const s = defaultSettings();
  const rendered = renderAll({
    settings: s,
    config: { pipelines: [], outputs: [] } as never,
    secretRefs: [{ namespace: 'shop', name: 'kafka-user', key: 'password' }] as never,
  });
  const cluster = operatorClusterRules(s.agentName, s.operatorName);
  const inNs = [...cluster, ...OPERATOR_NAMESPACE_RULES];
  const plural: Record<string, string> = {
    ServiceAccount: 'serviceaccounts',
    ConfigMap: 'configmaps',
    Service: 'services',
    DaemonSet: 'daemonsets',
    PodDisruptionBudget: 'poddisruptionbudgets',
    NetworkPolicy: 'networkpolicies',
    Role: 'roles',
    RoleBinding: 'rolebindings',
    ClusterRole: 'clusterroles',
    ClusterRoleBinding: 'clusterrolebindings',
  };

  test('the operator may create, patch and delete every object it renders', () => {
    expect(rendered.length).toBeGreaterThan(5);
    for (const o of rendered as Obj[]) {
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
      const resource = plural[o.kind];
      expect(resource).toBeDefined();
      const rules = o.metadata.namespace === s.namespace ? inNs : cluster;
      for (const verb of ['create', 'patch', 'delete', 'get'])
        expect([o.kind, o.metadata.name, verb, holds(rules, group, resource, verb, o.metadata.name)]).toEqual(
          [o.kind, o.metadata.name, verb, true],
        );
    }
  });

  test('the operator may patch or delete no Role or ClusterRole but its own', () => {
    for (const [res, name] of [
      ['clusterroles', 'admin'],
      ['clusterrolebindings', 'cluster-admin'],
      ['roles', 'tenant-role'],
      ['rolebindings', 'tenant-binding'],
    ])
      for (const verb of ['patch', 'update', 'delete'])
        expect([res, name, verb, holds(cluster, 'rbac.authorization.k8s.io', res, verb, name)]).toEqual([
          res,
          name,
          verb,
          false,
        ]);
  });

  test('the operator holds every permission it grants the agent (no escalation needed)', () => {
    for (const o of rendered as Obj[]) {
      if (o.kind !== 'Role' && o.kind !== 'ClusterRole') continue;
      const rules =
        o.kind === 'ClusterRole' ? cluster : o.metadata.namespace === s.namespace ? inNs : cluster;
      for (const r of o.rules as PolicyRule[])
        for (const g of r.apiGroups)
          for (const res of r.resources)
            for (const v of r.verbs)
              expect([o.metadata.name, g, res, v, holds(rules, g, res, v)]).toEqual([
                o.metadata.name,
                g,
                res,
                v,
                true,
              ]);
    }
  });
});

describe('Grafana dashboard', () => {
  const dash = JSON.parse(read('charts/sluice/files/dashboards/sluice.json'));
  const panels = dash.panels as Obj[];
  const agentMetrics = new Set(
    makeMetrics(new AgentStats())
      .getMetricsAsArray()
      .map((m) => (m as unknown as { name: string }).name),
  );
  const operatorMetrics = new Set(
    makeOperatorMetrics(() => new Map())
      .registry.getMetricsAsArray()
      .flatMap((m) => {
        const { name, type } = m as unknown as { name: string; type: string };
        return type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
      }),
  );
  const recorded = new Set(
    [
      ...read('charts/sluice/templates/prometheusrule.yaml').matchAll(
        /record: (sluice:[a-z_:]+)\{\{ \$w \}\}/g,
      ),
    ].flatMap((m) => ['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => `${m[1]}${w}`)),
  );

  test('has per-pipeline and per-output rows repeated over their variables', () => {
    const repeats = panels.filter((p) => p.type === 'row' && p.repeat).map((p) => p.repeat);
    expect(repeats.sort()).toEqual(['output', 'pipeline']);
    const vars = dash.templating.list.map((v: Obj) => v.name);
    expect(vars).toEqual(expect.arrayContaining(['datasource', 'pipeline', 'output']));
  });

  test('every query reads an agent metric or a recording rule of the chart', () => {
    const exprs = panels.flatMap((p) => (p.targets ?? []).map((t: Obj) => t.expr as string));
    exprs.push(...dash.templating.list.filter((v: Obj) => v.definition).map((v: Obj) => v.definition));
    expect(exprs.length).toBeGreaterThan(20);
    const names = new Set(exprs.flatMap((e) => [...e.matchAll(/\bsluice[_:][a-z0-9_:]+/g)].map((m) => m[0])));
    for (const n of names)
      expect([n, agentMetrics.has(n) || operatorMetrics.has(n) || recorded.has(n)]).toEqual([n, true]);
    // And every agent metric is on the dashboard somewhere.
    for (const m of agentMetrics) expect([m, names.has(m)]).toEqual([m, true]);
  });

  test('panel ids are unique and every panel has a description', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels.filter((p) => p.type !== 'row')) expect(p.description).toBeTruthy();
  });
});

describe('Dockerfiles', () => {
  /** Instructions of a Dockerfile with continuation lines joined and comments dropped. */
  function instructions(file: string): { op: string; args: string }[] {
    return read(file)
      .replace(/\\\n/g, ' ')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => {
        const [op, ...rest] = l.split(/\s+/);
        return { op: op.toUpperCase(), args: rest.join(' ') };
      });
  }
  const cliCommands = [...read('cli/main.ts').matchAll(/^ {2}([a-z]+): '/gm)].map((m) => m[1]);
  const buildIncludes = JSON.parse(read('tsconfig.build.json')).include as string[];

  for (const file of ['Dockerfile.agent', 'Dockerfile.operator']) {
    describe(file, () => {
      const ins = instructions(file);
      test('every path it copies from the build context exists', () => {
        const copies = ins.filter((i) => i.op === 'COPY' && !i.args.includes('--from='));
        expect(copies.length).toBeGreaterThan(3);
        for (const c of copies) {
          const parts = c.args.split(/\s+/).filter((p) => !p.startsWith('--'));
          for (const src of parts.slice(0, -1))
            expect([src, existsSync(join(root, src))]).toEqual([src, true]);
        }
      });
      test('it copies every source directory the build compiles', () => {
        const copied = ins.filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/)[0]);
        for (const inc of buildIncludes) expect(copied).toContain(inc);
      });
      test('it runs Node 24, the major of the pinned node devDependency', () => {
        const pinned = JSON.parse(read('package.json')).devDependencies.node.split('.')[0];
        expect(read(file)).toMatch(new RegExp(`ARG NODE_VERSION=${pinned}\\.`));
        expect(read(file)).toContain(`distroless/nodejs${pinned}-`);
      });
      test('the entrypoint is the compiled CLI and the command is one the CLI has', () => {
        const entry = JSON.parse(ins.find((i) => i.op === 'ENTRYPOINT')!.args) as string[];
        const cmd = JSON.parse(ins.find((i) => i.op === 'CMD')!.args) as string[];
        expect(entry[1]).toBe('/app/dist/cli/entry.js');
        expect(existsSync(join(root, 'cli/entry.ts'))).toBe(true);
        expect(cliCommands).toContain(cmd[0]);
      });
      test('OCI labels name the image, source, version and revision', () => {
        const labels = ins
          .filter((i) => i.op === 'LABEL')
          .map((i) => i.args)
          .join(' ');
        for (const l of ['title', 'source', 'version', 'revision', 'licenses'])
          expect(labels).toContain(`org.opencontainers.image.${l}=`);
      });
    });
  }

  test('the agent image runs what the rendered DaemonSet asks for, as the user it expects', () => {
    const ins = instructions('Dockerfile.agent');
    const cmd = JSON.parse(ins.find((i) => i.op === 'CMD')!.args) as string[];
    const ds = renderAll({ settings: defaultSettings(), config: {} as never, secretRefs: [] }).find(
      (o: Obj) => o.kind === 'DaemonSet',
    ) as Obj;
    const c = ds.spec.template.spec.containers[0];
    expect(c.args).toEqual(cmd);
    expect(ins.filter((i) => i.op === 'USER').at(-1)!.args).toBe(`${c.securityContext.runAsUser}:0`);
  });

  test('the agent image, the DaemonSet and the benchmark run the agent with one set of V8 flags and environment', () => {
    const env = instructions('Dockerfile.agent')
      .filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    const image = /NODE_OPTIONS="([^"]*)"/.exec(env)?.[1];
    expect(image).toBe(AGENT_NODE_OPTIONS);
    const ds = renderAll({ settings: defaultSettings(), config: {} as never, secretRefs: [] }).find(
      (o: Obj) => o.kind === 'DaemonSet',
    ) as Obj;
    const rendered = ds.spec.template.spec.containers[0].env.find((e: Obj) => e.name === 'NODE_OPTIONS');
    expect(rendered.value).toBe(AGENT_NODE_OPTIONS);
    expect(NODE_FLAGS.join(' ')).toBe(AGENT_NODE_OPTIONS);
    // and one environment for glibc
    for (const [name, value] of Object.entries(AGENT_ENV)) {
      expect(new RegExp(`(^|\\s)${name}=${value}(\\s|$)`).test(env)).toBe(true);
      expect(ds.spec.template.spec.containers[0].env).toContainEqual({ name, value });
    }
  });

  test('the operator image runs what the chart Deployment asks for, as the chart user', () => {
    const ins = instructions('Dockerfile.operator');
    const cmd = JSON.parse(ins.find((i) => i.op === 'CMD')!.args) as string[];
    const pod = find('Deployment', 'sluice-operator').spec.template.spec;
    expect(pod.containers[0].args[0]).toBe(cmd[0]);
    expect(ins.filter((i) => i.op === 'USER').at(-1)!.args).toBe(
      `${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`,
    );
  });
});

describe('Argo CD status fixtures', () => {
  const dir = join(root, 'test/fixtures/status');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'expectations.json');
  const expectations = JSON.parse(read('test/fixtures/status/expectations.json')) as Record<
    string,
    { status: string; messageStartsWith: string }
  >;

  /** Keys the API status schema does not declare (the apiserver would prune them). */
  function unknownKeys(value: unknown, schema: Schema, path: string): string[] {
    if (value === null || typeof value !== 'object') return [];
    if (Array.isArray(value))
      return schema.items ? value.flatMap((v, i) => unknownKeys(v, schema.items!, `${path}[${i}]`)) : [];
    return Object.entries(value).flatMap(([k, v]) => {
      const sub = schema.properties?.[k] ?? schema.additionalProperties;
      return sub ? unknownKeys(v, sub, `${path}.${k}`) : [`${path}.${k}`];
    });
  }

  test('every fixture has an expectation and every expectation a fixture', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    expect(Object.keys(expectations).sort()).toEqual([...files].sort());
  });

  test('statuses are valid against the API status schema, with catalogue types and reasons', () => {
    const ajv = new Ajv({ strict: false, validateFormats: false });
    const reasons = new Set<string>(Object.values(REASON));
    const types = new Set<string>(Object.values(CONDITION));
    for (const f of files) {
      const o = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      const k = kindDef(o.kind);
      expect([f, k !== undefined]).toEqual([f, true]);
      if (o.status === undefined) continue;
      const ok = ajv.validate(k!.status, o.status);
      expect([f, ok, ajv.errorsText()]).toEqual([f, true, 'No errors']);
      expect([f, unknownKeys(o.status, k!.status, 'status')]).toEqual([f, []]);
      for (const c of o.status.conditions ?? []) {
        expect([f, c.type, types.has(c.type)]).toEqual([f, c.type, true]);
        expect([f, c.reason, reasons.has(c.reason)]).toEqual([f, c.reason, true]);
      }
    }
  });

  test('the fixtures cover Ready, a rollout and every failure reason of the catalogue', () => {
    const seen = new Set(
      files.flatMap((f) =>
        (JSON.parse(readFileSync(join(dir, f), 'utf8')).status?.conditions ?? []).map((c: Obj) => c.reason),
      ),
    );
    const notFailures = ['Accepted', 'AgentsConfigured', 'RecordsFlowing', 'Ready', 'NotAccepted'];
    for (const r of Object.values(REASON).filter((r) => !notFailures.includes(r)))
      expect([r, seen.has(r)]).toEqual([r, true]);
    expect(Object.values(expectations).map((e) => e.status)).toEqual(
      expect.arrayContaining(['Healthy', 'Progressing', 'Degraded', 'Suspended']),
    );
  });
});

describe('docs', () => {
  // Written on the sinks branch (docs/guides/{kafka,opensearch,s3}.md); linked from here already.
  const PENDING = new Set(['docs/guides/kafka.md', 'docs/guides/opensearch.md', 'docs/guides/s3.md']);
  const pages = [
    'README.md',
    'charts/sluice/README.md',
    ...readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  test('every relative link and anchor of the docs resolves', () => {
    const problems: string[] = [];
    for (const page of pages) {
      // Links outside code: fenced blocks and inline code hold regexes and YAML, not links.
      const text = read(page)
        .replace(/```[\s\S]*?```/g, '')
        .replace(/`[^`\n]*`/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) continue;
        const [file, anchor] = target.split('#');
        const rel = file === '' ? page : join(page, '..', file).replace(/\\/g, '/');
        if (PENDING.has(rel)) continue;
        if (!existsSync(join(root, rel))) {
          problems.push(`${page}: ${target} (no ${rel})`);
          continue;
        }
        if (anchor && rel.endsWith('.md')) {
          const slugs = [...read(rel).matchAll(/^#+ (.+)$/gm)].map((h) =>
            h[1]
              .toLowerCase()
              .replace(/[^a-z0-9 _-]/g, '')
              .replace(/ /g, '-'),
          );
          if (!slugs.includes(anchor)) problems.push(`${page}: ${target} (no heading #${anchor} in ${rel})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('the docs index links every page of docs/', () => {
    const index = read('docs/README.md');
    for (const page of pages.filter((p) => p.startsWith('docs/') && p !== 'docs/README.md')) {
      const rel = page.slice('docs/'.length);
      if (rel.startsWith('reference/') && rel !== 'reference/README.md') continue;
      expect([rel, index.includes(`(${rel})`)]).toEqual([rel, true]);
    }
  });
});
