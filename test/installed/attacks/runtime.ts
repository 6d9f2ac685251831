// Attacks contained at run time: the attacker's pipelines run, and what they try stays in their
// namespace or is dropped and counted.
import { expect } from '@jest/globals';
import { until } from '../cluster.ts';
import { MIN, NS } from '../install.ts';
import {
  AGENT,
  type Attack,
  agentPod,
  arrived,
  c,
  EVIL,
  inProbe,
  metric,
  node,
  REDOS,
  read,
  records,
  S,
  SHARED,
  tagsIn,
  VICTIM,
} from './scene.ts';

/** Contained at run time: the attacker's records go where its namespace's go, and no further. */
export const RUNTIME: Attack[] = [
  ...(['redos-regex', 'redos-matches', 'redos-multiline', 'redos-redact'] as const).map(
    (p): Attack => ({
      name: `catastrophic backtracking in ${p.slice(6)} (${REDOS} on a line of 50 a's)`,
      refusal: 'contained: the linear-time engine runs it; the line is delivered, the agent keeps up',
      run: async () => {
        const t = await arrived('evil', { f70: 20 }, p);
        expect(t.unknown).toBe(0);
      },
    }),
  ),
  {
    name: 'read other namespaces’ logs with a LogPipeline selecting every pod',
    refusal: 'contained: the agent reads only files of its own namespace',
    run: async () => {
      await arrived('evil', { f70: 20 }, 'reader');
      // the victim wrote thousands of lines meanwhile; none reached the attacker's pipeline
      expect(read('victim').values.length).toBeGreaterThan(1000);
      expect(tagsIn('evil', 'f1')).toBe(0);
    },
  },
  {
    name: 'hide a pod from the platform audit pipeline with sluice.dev/exclude',
    refusal: 'contained: the ClusterLogPipeline (honorExcludeAnnotation off) still reads it',
    run: async () => {
      const t = await arrived('audit', { f62: 20 });
      expect(t.lost).toBe(0);
      // the annotation is honoured by the attacker's own pipelines only
      expect(tagsIn('evil', 'f62')).toBe(0);
    },
  },
  {
    name: 'spoof enrichment with JSON keys "kubernetes.namespace" and "kubernetes"',
    refusal: 'contained: the record keeps its own kubernetes.*; the spoofed keys are nested under log',
    run: async () => {
      await arrived('evil', { f60: 20 }, 'reader');
      const rec = records('evil').find(
        (r) => r.pipeline === 'reader' && JSON.stringify(r).includes('SEQ:f60:0;'),
      );
      expect(rec.kubernetes).toMatchObject({ namespace: EVIL, container: 'app', node: node.name });
      expect(rec.kubernetes.pod).toMatch(/^spoof-/);
      expect(rec.log).toMatchObject({
        'kubernetes.namespace': VICTIM,
        kubernetes: { namespace: VICTIM, pod: 'bank' },
      });
    },
  },
  {
    name: "write into the victim's topic of a shared output routed by kubernetes.namespace (spoofed keys, an add filter)",
    refusal: 'contained: routed by the enrichment, every record lands in its own namespace’s topic',
    run: async () => {
      await arrived('sharedEvil', { f60: 20 });
      expect(tagsIn('sharedVictim', 'f60')).toBe(0);
      const rec = records('sharedEvil').find((r) => JSON.stringify(r).includes('SEQ:f60:0;'));
      expect(rec.kubernetes.namespace).toBe(EVIL);
      expect(rec.kubernetes.node).toBe(node.name);
    },
  },
  {
    name: "read the other tenants' figures and errors of the shared output from its own status",
    refusal: 'contained: a LogPipeline sees a shared output’s name and health only',
    run: async () => {
      // the shared output has figures — the victim's records among them
      const shared = await until('the shared output delivering', 2 * MIN, () => {
        const o = c.get('clusterlogoutput', SHARED);
        return (o.status?.delivered ?? 0) > 0 ? o : undefined;
      });
      expect(shared.status.delivered).toBeGreaterThan(0);
      const own = c.get('logpipeline', '-n', EVIL, 'route');
      const entry = own.status.outputs.find((o: { name: string }) => o.name === SHARED);
      expect(Object.keys(entry).sort()).toEqual(['kind', 'name']);
    },
  },
  {
    name: "read the agent's /metrics from a pod of its namespace",
    refusal: '401 without a token, 403 with its ServiceAccount token (TokenReview + SubjectAccessReview)',
    run: async () => {
      const url = `http://${S.agentIp}:2020/metrics`;
      const anon = inProbe(`wget -q -O - ${url} 2>&1; true`);
      expect(anon).toContain('401 Unauthorized');
      const withToken = inProbe(
        `wget -q -O - --header "Authorization: Bearer $(cat /var/run/secrets/kubernetes.io/serviceaccount/token)" ${url} 2>&1; true`,
      );
      expect(withToken).toContain('403 Forbidden');
      expect(withToken).not.toContain('sluice_pipeline_records_in_total');
      // The chart's NetworkPolicy admits only the monitoring namespace to this port; this node's
      // bridge CNI does not enforce NetworkPolicies, so the agent's own check is what refused.
      const np = c.get('networkpolicy', '-n', NS, AGENT);
      expect(JSON.stringify(np.spec.ingress)).toContain('monitoring');
    },
  },
  {
    name: "read the agent's /status (every output's lastError) from a pod of its namespace",
    refusal: '403 with its ServiceAccount token',
    run: async () => {
      const out = inProbe(
        `wget -q -O - --header "Authorization: Bearer $(cat /var/run/secrets/kubernetes.io/serviceaccount/token)" http://${S.agentIp}:2020/status 2>&1; true`,
      );
      expect(out).toContain('403 Forbidden');
      expect(out).not.toContain(VICTIM);
    },
  },
  {
    name: "read the agent's /status through the apiserver's pods/proxy (granted for tap)",
    refusal: '401 from the agent: the proxy forwards no credential',
    run: async () => {
      const r = await S.evil.api(
        'GET',
        `/api/v1/namespaces/${NS}/pods/${agentPod().metadata.name}:2020/proxy/status`,
      );
      expect(r.status).toBe(401);
      expect(r.text).not.toContain(VICTIM);
    },
  },
  {
    name: "read the operator's /metrics through pods/proxy (granted for tap)",
    refusal: 'contained: readable, but it names no namespace, pipeline or output',
    run: async () => {
      const op = c.get('pods', '-n', NS, '-l', 'app.kubernetes.io/component=operator').items[0];
      const r = await S.evil.api(
        'GET',
        `/api/v1/namespaces/${NS}/pods/${op.metadata.name}:8080/proxy/metrics`,
      );
      expect(r.status).toBe(200);
      expect(r.text).toContain('sluice_operator_pipelines');
      for (const name of [VICTIM, EVIL, SHARED, 'shop'])
        expect([name, r.text.includes(name)]).toEqual([name, false]);
    },
  },
  {
    name: 'forge an agent report Lease in its own namespace, claiming the victim’s figures and errors',
    refusal:
      'contained: the operator reads report Leases of its own namespace only (edit may write Leases in its own)',
    run: async () => {
      const forged = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: `${AGENT}-${node.name}`,
          namespace: EVIL,
          labels: { 'sluice.dev/agent-report': 'true' },
          annotations: {
            'sluice.dev/report': JSON.stringify({
              v: 1,
              o: {
                [`LogOutput/${VICTIM}/own`]: {
                  d: 999_999_999,
                  b: 0,
                  e: 'forged',
                  t: new Date().toISOString(),
                },
              },
            }),
          },
        },
        spec: {
          holderIdentity: 'forger',
          leaseDurationSeconds: 3600,
          renewTime: new Date().toISOString().replace(/Z$/, '000Z'),
        },
      };
      const r = await S.evil.create(forged);
      expect([r.status, r.status < 300 ? '' : r.text]).toEqual([201, '']);
      const before = c.get('logpipeline', '-n', VICTIM, 'shop').status.delivered;
      // the victim's status is recomputed from the agent's next reports: the forged one is not among them
      const after = await until('the victim status updated after the forgery', 2 * MIN, () => {
        const s = c.get('logpipeline', '-n', VICTIM, 'shop').status;
        return s.delivered > before ? s : undefined;
      });
      expect(after.delivered).toBeLessThan(999_999_999);
      expect(after.outputs.find((o: { name: string }) => o.name === 'own').lastError).toBeUndefined();
    },
  },
  {
    name: "tap the victim's pipeline with sluice tap",
    refusal: '403 from every agent (SubjectAccessReview: get logpipelines/tap in the victim namespace)',
    run: async () => {
      const r = S.evil.kubectl.sh(`node_modules/.bin/node bin/sluice.js tap -n ${VICTIM} shop --limit 1`);
      expect(r.code).not.toBe(0);
      expect(r.err).toContain(
        `not allowed: ${S.evil.user} may not tap this pipeline: it needs RBAC permission to get logpipelines/tap (sluice.dev) on shop in namespace ${VICTIM}`,
      );
      expect(r.out).not.toContain('SEQ:f1:');
    },
  },
];

/** The floods, last: the namespace's rate cap drops what else its pipelines read meanwhile. */
export const FLOODS: Attack[] = [
  {
    name: 'short lines at full speed',
    refusal: 'contained: namespace_rate_cap drops counted in the pipeline status and /metrics',
    run: async () => {
      const p = await until('namespace_rate_cap drops in the flood pipeline status', 3 * MIN, () => {
        const s = c.get('logpipeline', '-n', EVIL, 'flood').status;
        return (s?.droppedByCaps?.namespace_rate_cap ?? 0) > 0 ? s : undefined;
      });
      expect(p.droppedByCaps.namespace_rate_cap).toBeGreaterThan(0);
      expect(
        await metric(
          'sluice_records_dropped_total',
          `pipeline="LogPipeline/${EVIL}/flood",output="",reason="namespace_rate_cap"`,
        ),
      ).toBeGreaterThan(0);
    },
  },
  {
    name: '1 MiB lines at full speed',
    refusal: 'contained: records cut at maxRecordBytes (64Ki), marked and counted',
    run: async () => {
      const rec = await until('a truncated 1 MiB line in the attacker topic', 3 * MIN, () =>
        records('evil').find((r) => r.pipeline === 'flood' && r.message?.startsWith('SEQ:f81:')),
      );
      // 1 MiB and its newline, less what was kept
      expect(rec.message).toMatch(/…\[truncated \d+ bytes\]$/);
      expect(Buffer.byteLength(rec.message)).toBeLessThan(64 * 1024 + 64);
      expect(
        await metric('sluice_records_truncated_total', `pipeline="LogPipeline/${EVIL}/flood"`),
      ).toBeGreaterThan(0);
      // Every record of the flooding pods is one of their lines: none of the gzip bytes of the
      // logs the kubelet rotates and compresses meanwhile (agent/src/sources/kubernetes_logs/path.test.ts).
      const fromFloods = records('evil').filter((r) => /^(flood|big-lines)-/.test(r.kubernetes.pod));
      expect(fromFloods.length).toBeGreaterThan(1000);
      expect(
        fromFloods.filter((r) => !/SEQ:f8[01]:\d+;/.test(r.message ?? r.msg ?? JSON.stringify(r.log))),
      ).toEqual([]);
    },
  },
];
