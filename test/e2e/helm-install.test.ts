// `helm install` of charts/sluice into the test control plane, as a platform team runs it.
//
// No image can be built or pulled here, so the operator pods the chart creates run on kwok's fake
// nodes (kwok marks them Running and Ready without running anything). What this proves for real:
// the CRDs are established, every object is accepted, the Deployment, PDB and RBAC are what the
// chart promises, the aggregated roles give namespace editors and viewers the right verbs, and the
// operator's ServiceAccount holds what operator-rbac.ts says. Then the operator process runs on
// this machine under that ServiceAccount's token, with the Deployment's own arguments and the
// chart's settings, and brings a sample pipeline to Ready.
//
// SLUICE_CAPTURE_STATUS=1 writes the status objects the real operator produced into
// test/fixtures/status/ (with their Argo CD expectations), for the Lua health-check test.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { agentPolicyName } from '../../operator/src/render/agent-policy.ts';
import { OPERATOR_NAMESPACE_RULES, operatorClusterRules } from '../../operator/src/render/operator-rbac.ts';
import { installLuaHealth } from '../../tools/install/checkers.ts';
import { type KubeInfo, kubeEnv, serviceAccountCredentials, type Tools, toolsEnv } from '../env/index.ts';
import { freePorts } from '../env/ports.ts';

const root = join(import.meta.dirname, '../..');
const NS = 'sluice-system';
const APP_NS = 'shop-e2e';
const SA = 'sluice-operator';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let kube: KubeInfo;
let tools: Tools;
const sh = (cmd: string, args: string[], input?: string) => {
  const r = spawnSync(cmd, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: kube.kubeconfig },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const kubectl = (...args: string[]) => sh(tools.kubectl, args);
const getJson = (...args: string[]) => {
  const r = kubectl('get', ...args, '-o', 'json');
  if (r.code !== 0) throw new Error(`kubectl get ${args.join(' ')}: ${r.err}`);
  return JSON.parse(r.out);
};
async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

let installOut = '';
beforeAll(() => {
  kube = kubeEnv();
  tools = toolsEnv();
  // The agents mount host paths: the namespace admits privileged pods, as docs/install/helm.md says.
  kubectl('create', 'namespace', NS);
  kubectl('label', '--overwrite', 'namespace', NS, 'pod-security.kubernetes.io/enforce=privileged');
  const r = sh(tools.helm, [
    'upgrade',
    '--install',
    'sluice',
    join(root, 'charts/sluice'),
    '--namespace',
    NS,
    // kwok's nodes only: this suite stands in for the pods with processes (no image can be run),
    // while the real node of test/env would try to run the operator and agent images, which are
    // not imported there (yet): its pods would never turn Ready.
    '--set',
    'operator.nodeSelector.type=kwok',
    '--set',
    'agent.nodeSelector.type=kwok',
    '--wait',
    '--timeout',
    '5m',
  ]);
  installOut = `${r.out}${r.err}`;
  if (r.code !== 0) throw new Error(`helm install failed:\n${installOut}`);
}, 6 * 60_000);

afterAll(() => {
  if (!kube) return;
  sh(tools.helm, ['uninstall', 'sluice', '--namespace', NS, '--wait', '--timeout', '2m']);
  // The operator here ran outside the cluster and was stopped before its ClusterRole went, so
  // these may remain (in a real install the garbage collector removes them with the ClusterRole).
  kubectl(
    'delete',
    'clusterrole,clusterrolebinding',
    '-l',
    'app.kubernetes.io/managed-by=sluice-operator,app.kubernetes.io/instance=sluice-agent',
  );
  kubectl('delete', 'namespace', APP_NS, NS, '--ignore-not-found', '--wait=false');
}, 3 * 60_000);

describe('helm install into the test control plane', () => {
  test('the four CRDs are established', () => {
    for (const plural of ['logpipelines', 'clusterlogpipelines', 'logoutputs', 'clusterlogoutputs']) {
      const crd = getJson('crd', `${plural}.sluice.dev`);
      const established = crd.status.conditions.find((c: { type: string }) => c.type === 'Established');
      expect([plural, established?.status]).toEqual([plural, 'True']);
    }
  });

  test('the operator Deployment runs 2 replicas, spread, restricted, with a PDB', () => {
    const d = getJson('deployment', 'sluice-operator', '-n', NS);
    expect(d.spec.replicas).toBe(2);
    expect(d.status.readyReplicas).toBe(2); // kwok's fake nodes run them
    const pod = d.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.affinity.podAntiAffinity).toBeDefined();
    expect(pod.containers[0].args).toEqual(expect.arrayContaining(['operator', '--leader-elect=true']));
    const pods = getJson('pods', '-n', NS, '-l', 'app.kubernetes.io/component=operator').items;
    expect(new Set(pods.map((p: { spec: { nodeName: string } }) => p.spec.nodeName)).size).toBe(2);
    const pdb = getJson('pdb', 'sluice-operator', '-n', NS);
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.status.currentHealthy).toBe(2);
  });

  test('helm install prints the Argo CD health check', () => {
    const lua = readFileSync(join(root, 'charts/sluice/files/argocd-health.lua'), 'utf8');
    expect(installOut).toContain('resource.customizations.health.sluice.dev_LogPipeline');
    expect(installOut.replace(/^ {4}/gm, '')).toContain(lua.split('\n').slice(0, 12).join('\n'));
  });

  test("the chart confines each agent to its own node's report Lease", () => {
    const name = agentPolicyName({ namespace: NS, agentName: 'sluice-agent' });
    const policy = getJson('validatingadmissionpolicy', name);
    expect(policy.spec.validations.length).toBe(3);
    expect(getJson('validatingadmissionpolicybinding', name).spec).toMatchObject({
      policyName: name,
      validationActions: ['Deny'],
    });
  });

  test('the operator ServiceAccount holds exactly the rules of operator-rbac.ts', () => {
    expect(getJson('clusterrole', 'sluice-operator').rules).toEqual(
      operatorClusterRules('sluice-agent', 'sluice-operator'),
    );
    expect(getJson('role', 'sluice-operator', '-n', NS).rules).toEqual(OPERATOR_NAMESPACE_RULES);
    const can = (verb: string, resource: string, ns?: string, subresource?: string) =>
      kubectl(
        'auth',
        'can-i',
        verb,
        resource,
        `--as=system:serviceaccount:${NS}:${SA}`,
        ...(ns ? ['-n', ns] : []),
        ...(subresource ? [`--subresource=${subresource}`] : []),
      ).out.trim();
    expect(can('watch', 'logpipelines.sluice.dev', 'anywhere')).toBe('yes');
    expect(can('patch', 'clusterlogoutputs.sluice.dev', undefined, 'status')).toBe('yes');
    expect(can('create', 'daemonsets.apps', NS)).toBe('yes');
    expect(can('create', 'daemonsets.apps', 'default')).toBe('no');
    expect(can('update', 'logpipelines.sluice.dev', 'anywhere')).toBe('no');
    expect(can('create', 'secrets', NS)).toBe('no');
    expect(can('escalate', 'clusterroles')).toBe('no');
    expect(can('bind', 'clusterroles')).toBe('no');
    // Its own RBAC objects only: the agent's ClusterRole and the per-namespace Secret Roles.
    expect(can('patch', 'clusterroles/sluice-agent')).toBe('yes');
    expect(can('delete', 'clusterroles/admin')).toBe('no');
    expect(can('patch', 'clusterrolebindings/cluster-admin')).toBe('no');
    expect(can('delete', 'roles/sluice-agent-secrets', 'anywhere')).toBe('yes');
    expect(can('patch', 'roles/someone-elses', 'anywhere')).toBe('no');
    expect(can('delete', 'rolebindings/someone-elses', NS)).toBe('no');
    // Its own ClusterRole: the owner of the agent objects (uninstalling the chart removes them).
    expect(can('get', 'clusterroles/sluice-operator')).toBe('yes');
    expect(can('get', 'clusterroles/admin')).toBe('no');
    expect(can('get', 'customresourcedefinitions/logpipelines.sluice.dev')).toBe('no');
  });

  test('namespace editors manage LogPipelines and LogOutputs, viewers only read them', async () => {
    kubectl('create', 'namespace', APP_NS);
    kubectl('create', 'rolebinding', 'alice-edit', '--clusterrole=edit', '--user=alice', '-n', APP_NS);
    kubectl('create', 'rolebinding', 'bob-view', '--clusterrole=view', '--user=bob', '-n', APP_NS);
    const can = (user: string, verb: string, resource: string, subresource?: string) =>
      kubectl(
        'auth',
        'can-i',
        verb,
        resource,
        `--as=${user}`,
        '-n',
        APP_NS,
        ...(subresource ? [`--subresource=${subresource}`] : []),
      ).out.trim();
    // The aggregation controller folds the chart's roles into edit and view within moments.
    await until(
      'aggregated roles',
      30_000,
      () => can('alice', 'create', 'logpipelines.sluice.dev') === 'yes',
    );
    expect(can('alice', 'delete', 'logoutputs.sluice.dev')).toBe('yes');
    expect(can('alice', 'update', 'logpipelines.sluice.dev', 'status')).toBe('no');
    expect(can('alice', 'create', 'clusterlogoutputs.sluice.dev')).toBe('no');
    expect(can('bob', 'list', 'logpipelines.sluice.dev')).toBe('yes');
    expect(can('bob', 'create', 'logpipelines.sluice.dev')).toBe('no');
  }, 60_000);
});

// The operator command lands with the operator branch; until then this part cannot run.
const operatorBuilt = existsSync(join(root, 'cli/commands/operator.ts'));
const operatorTest = operatorBuilt ? test : test.skip;

describe('the operator under the chart ServiceAccount', () => {
  let operator: ChildProcess | undefined;
  let operatorLog = '';
  let agents: { stop(): Promise<void> } | undefined;
  afterAll(async () => {
    await agents?.stop();
    if (!operator || operator.exitCode !== null) return;
    operator.kill('SIGTERM');
    await new Promise((r) => operator!.once('exit', r));
  }, 60_000);

  operatorTest(
    'runs with the Deployment arguments and brings a sample pipeline to Ready',
    async () => {
      const creds = await serviceAccountCredentials(kube, { namespace: NS, name: SA });
      const dir = mkdtempSync(join(tmpdir(), 'sluice-operator-'));
      const luaHealth = await installLuaHealth();
      const settings = join(dir, 'settings.json');
      writeFileSync(
        settings,
        getJson('configmap', 'sluice-operator-settings', '-n', NS).data['settings.json'],
      );
      const container = getJson('deployment', 'sluice-operator', '-n', NS).spec.template.spec.containers[0];
      const [port] = await freePorts(1);
      // Test-only: three agents share this machine, so each picks its own port and data directory.
      const agentSettings = join(dir, 'agent-settings.json');
      writeFileSync(
        agentSettings,
        JSON.stringify({
          httpPort: 0,
          dataDir: 'data',
          podLogsDir: 'logs',
          enrichment: { kubernetes: false },
        }),
      );
      const args = [
        ...(container.args as string[]).map((a) =>
          a
            .replace('/etc/sluice/settings.json', settings)
            .replace('$(POD_NAMESPACE)', NS)
            .replace(/^--http-port=.*/, `--http-port=${port}`),
        ),
        '--http-host=127.0.0.1',
        `--agent-settings=${agentSettings}`,
      ];
      operator = spawn(process.execPath, [join(root, 'bin/sluice.js'), ...args], {
        env: { ...process.env, KUBECONFIG: creds.kubeconfig, POD_NAMESPACE: NS, POD_NAME: 'operator-e2e' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      operator.stdout!.on('data', (b) => {
        operatorLog += b;
      });
      operator.stderr!.on('data', (b) => {
        operatorLog += b;
      });

      kubectl('create', 'namespace', APP_NS);
      const resources = `apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: debug, namespace: ${APP_NS}}
spec: {stdout: {}}
---
apiVersion: sluice.dev/v1alpha1
kind: LogPipeline
metadata: {name: sample, namespace: ${APP_NS}}
spec:
  input: {pods: {matchLabels: {app: sample}}}
  outputs: [{name: debug}]
`;
      const applied = sh(tools.kubectl, ['apply', '-f', '-'], resources);
      expect([applied.code, applied.err]).toEqual([0, '']);

      const cond = (kind: string, name: string, type: string) => {
        const o = getJson(kind, name, '-n', APP_NS);
        const c = (o.status?.conditions ?? []).find((x: { type: string }) => x.type === type);
        return c && c.observedGeneration === o.metadata.generation ? c : undefined;
      };
      // The Argo CD health check on the live object, as Argo CD runs it (gopher-lua).
      const argo = (kind: string, name: string, want: string, messagePrefix: string, fixture: string) => {
        const obj = getJson(kind, name, '-n', APP_NS);
        const file = join(dir, `${fixture}.json`);
        writeFileSync(file, JSON.stringify(obj));
        const r = spawnSync(luaHealth, [join(root, 'charts/sluice/files/argocd-health.lua'), file], {
          encoding: 'utf8',
        });
        const got = JSON.parse(r.stdout)[file] as { status: string; message: string };
        expect({ fixture, status: got.status, message: got.message.slice(0, messagePrefix.length) }).toEqual({
          fixture,
          status: want,
          message: messagePrefix,
        });
        if (process.env.SLUICE_CAPTURE_STATUS === '1') capture(fixture, obj, want, messagePrefix);
      };
      try {
        await until(
          'LogOutput Accepted',
          60_000,
          () => cond('logoutput', 'debug', 'Accepted')?.status === 'True',
        );
        await until(
          'LogPipeline Accepted',
          60_000,
          () => cond('logpipeline', 'sample', 'Accepted')?.status === 'True',
        );
        // The operator renders the agent objects under its own (least-privilege) identity.
        await until('agent DaemonSet', 60_000, () => getJson('daemonset', 'sluice-agent', '-n', NS));
        // No agent reports yet (kwok's pods run nothing): the rollout is in progress.
        await until(
          'RolloutInProgress',
          60_000,
          () => cond('logpipeline', 'sample', 'AgentsReady')?.reason === 'RolloutInProgress',
        );
        argo('logpipeline', 'sample', 'Progressing', 'RolloutInProgress: ', 'e2e-rollout-in-progress');

        // Broken references, each rejected alone with its reason.
        const broken = `apiVersion: sluice.dev/v1alpha1
kind: LogPipeline
metadata: {name: typo, namespace: ${APP_NS}}
spec:
  outputs: [{name: nope}]
---
apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: kafka, namespace: ${APP_NS}}
spec:
  kafka:
    brokers: [kafka.data:9093]
    topic: logs
    sasl:
      mechanism: scram-sha-512
      username: {name: kafka-user, key: username}
      password: {name: kafka-user, key: password}
`;
        expect(sh(tools.kubectl, ['apply', '-f', '-'], broken).code).toBe(0);
        await until(
          'OutputNotFound',
          60_000,
          () => cond('logpipeline', 'typo', 'Accepted')?.reason === 'OutputNotFound',
        );
        argo('logpipeline', 'typo', 'Degraded', 'OutputNotFound: ', 'e2e-output-not-found');
        await until(
          'ReferencedSecretMissing',
          60_000,
          () => cond('logoutput', 'kafka', 'Accepted')?.reason === 'ReferencedSecretMissing',
        );
        argo('logoutput', 'kafka', 'Degraded', 'ReferencedSecretMissing: ', 'e2e-referenced-secret-missing');

        // The Secret appears without the key the output names.
        kubectl('create', 'secret', 'generic', 'kafka-user', '-n', APP_NS, '--from-literal=username=app');
        await until(
          'ReferencedSecretKeyMissing',
          60_000,
          () => cond('logoutput', 'kafka', 'Accepted')?.reason === 'ReferencedSecretKeyMissing',
        );
        argo(
          'logoutput',
          'kafka',
          'Degraded',
          'ReferencedSecretKeyMissing: ',
          'e2e-referenced-secret-key-missing',
        );

        // What only the operator's validator catches (the CRD admits it), and the references that
        // resolve to something this namespace may not use or that does not exist.
        const more = `apiVersion: sluice.dev/v1alpha1
kind: LogPipeline
metadata: {name: badregex, namespace: ${APP_NS}}
spec:
  parse: {format: regex, regex: "(?<level>[A-Z]+"}
  outputs: [{name: debug}]
---
apiVersion: sluice.dev/v1alpha1
kind: ClusterLogOutput
metadata: {name: e2e-restricted}
spec:
  stdout: {}
  allowedNamespaces: {names: [somebody-else]}
---
apiVersion: sluice.dev/v1alpha1
kind: ClusterLogOutput
metadata: {name: e2e-nosecret}
spec:
  kafka:
    brokers: [kafka.data:9093]
    topic: logs
    sasl:
      mechanism: scram-sha-512
      username: {name: absent, namespace: ${APP_NS}, key: username}
      password: {name: absent, namespace: ${APP_NS}, key: password}
---
apiVersion: sluice.dev/v1alpha1
kind: LogPipeline
metadata: {name: denied, namespace: ${APP_NS}}
spec:
  outputs: [{name: e2e-restricted, kind: ClusterLogOutput}]
---
apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: withdlq, namespace: ${APP_NS}}
spec:
  stdout: {}
  deadLetter: {name: nowhere}
`;
        expect(sh(tools.kubectl, ['apply', '-f', '-'], more).code).toBe(0);
        for (const [kind, name, reason, fixture] of [
          ['logpipeline', 'badregex', 'InvalidSpec', 'e2e-invalid-spec'],
          ['logpipeline', 'denied', 'OutputNotAllowed', 'e2e-output-not-allowed'],
          ['logoutput', 'withdlq', 'DeadLetterNotFound', 'e2e-dead-letter-not-found'],
        ] as const) {
          await until(reason, 60_000, () => cond(kind, name, 'Accepted')?.reason === reason);
          argo(kind, name, 'Degraded', `${reason}: `, fixture);
        }
        // Events of cluster-scoped resources go to `default`, like client-go's recorder puts them.
        await until('a Warning Event for the rejected ClusterLogOutput', 30_000, () =>
          getJson(
            'events',
            '-n',
            'default',
            '--field-selector',
            'involvedObject.name=e2e-nosecret',
          ).items.some(
            (e: { type: string; reason: string }) =>
              e.type === 'Warning' && e.reason === 'ReferencedSecretMissing',
          ),
        );

        // kwok runs the agent pods without running anything: real agents stand in for them, one per
        // fake node, fed the rendered ConfigMap (the operator suite's harness; a variable path so
        // this file type-checks before that harness is merged).
        const harnessPath = './operator/harness.ts';
        const harness = await import(harnessPath);
        // Only what startAgents reads of the harness Env; setupEnv itself would re-apply the CRDs
        // and its own operator RBAC over the chart's.
        const get = async (kind: string, name: string, ns?: string) => {
          const r = kubectl('get', kind, name, ...(ns ? ['-n', ns] : []), '-o', 'json');
          return r.code === 0 ? JSON.parse(r.out) : undefined;
        };
        const admin = {
          request: async (_method: string, _path: string, o: { query: { labelSelector: string } }) =>
            getJson('pods', '-n', NS, '-l', o.query.labelSelector),
        };
        agents = await harness.startAgents({ kube, ns: NS, agentName: 'sluice-agent', dir, get, admin });
        await until(
          'LogPipeline Ready',
          180_000,
          () => cond('logpipeline', 'sample', 'Ready')?.status === 'True',
        );
        argo('logpipeline', 'sample', 'Healthy', '', 'e2e-ready');
        // The broken pipeline stayed alone: still rejected, the good one Ready.
        expect(cond('logpipeline', 'typo', 'Accepted')?.reason).toBe('OutputNotFound');

        // A once-good pipeline broken by an edit keeps shipping its last good config, and says so.
        const sampleEdit = (output: string) =>
          kubectl(
            'patch',
            'logpipeline',
            'sample',
            '-n',
            APP_NS,
            '--type=merge',
            '-p',
            `{"spec":{"outputs":[{"name":"${output}"}]}}`,
          );
        expect(sampleEdit('nope').code).toBe(0);
        await until('last good config kept', 60_000, () =>
          cond('logpipeline', 'sample', 'Accepted')?.message.endsWith(
            'Agents keep running its last good config until the spec is fixed.',
          ),
        );
        argo('logpipeline', 'sample', 'Degraded', 'OutputNotFound: ', 'e2e-kept-last-good-config');
        // Still shipping: the agents run the config with the pipeline in it.
        expect(cond('logpipeline', 'sample', 'AgentsReady')?.status).toBe('True');
        expect(sampleEdit('debug').code).toBe(0);
        await until(
          'LogPipeline Ready again',
          120_000,
          () => cond('logpipeline', 'sample', 'Ready')?.status === 'True',
        );
        argo('logpipeline', 'sample', 'Healthy', '', 'e2e-ready-again');
      } catch (e) {
        const status = kubectl('get', 'logpipeline', 'sample', '-n', APP_NS, '-o', 'jsonpath={.status}').out;
        throw new Error(
          `${e}\nstatus: ${status}\noperator log (tail):\n${operatorLog.split('\n').slice(-30).join('\n')}`,
        );
      }
      expect(operator.exitCode).toBeNull();
    },
    6 * 60_000,
  );
});

/** Writes an object the real operator produced as a status fixture with its Argo CD expectation. */
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects parsed from YAML/JSON
function capture(name: string, obj: Record<string, any>, status: string, messageStartsWith: string): void {
  const dir = join(root, 'test/fixtures/status');
  const { managedFields: _m, resourceVersion: _r, ...metadata } = obj.metadata;
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ ...obj, metadata }, null, 2)}\n`);
  const expPath = join(dir, 'expectations.json');
  const exp = JSON.parse(readFileSync(expPath, 'utf8'));
  exp[`${name}.json`] = { status, messageStartsWith };
  writeFileSync(expPath, `${JSON.stringify(exp, null, 2)}\n`);
}
