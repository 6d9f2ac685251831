// The packaging under the real checkers (installed by tools/install/checkers.ts): hadolint on
// both Dockerfiles, the Argo CD health check on gopher-lua (Argo CD's own Lua 5.1 VM) against the
// status fixtures, and the alert rules as the chart renders them under promtool: `check rules`
// and `test rules` with input series that must (and must not) fire each alert.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import * as yaml from 'js-yaml';
import { helmTemplate } from '../../scripts/chart/manifests.ts';
import { type Checkers, installCheckers } from '../../tools/install/checkers.ts';
import { install } from '../../tools/install/index.ts';

const root = join(import.meta.dirname, '../..');
const say = (m: string) => process.stderr.write(`[checkers] ${m}\n`);
let tools: Checkers;
let helm: string;

beforeAll(async () => {
  // The first run on a fresh machine builds promtool (minutes); later runs find it cached.
  [tools, { helm }] = await Promise.all([installCheckers(say), install.helm(say)]);
}, 45 * 60_000);

const run = (cmd: string, args: string[], cwd = root) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

describe('hadolint', () => {
  test.each(['Dockerfile.agent', 'Dockerfile.operator'])('%s has no findings', (file) => {
    const r = run(tools.hadolint, ['--no-color', file]);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  test('hadolint does find problems (the checker is live)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hadolint-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM node:latest\nRUN cd /tmp && npm install\n');
    const r = run(tools.hadolint, ['--no-color', join(dir, 'Dockerfile')]);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('DL3007');
  });
});

describe('Argo CD health check on gopher-lua', () => {
  const dir = join(root, 'test/fixtures/status');
  const expectations = JSON.parse(readFileSync(join(dir, 'expectations.json'), 'utf8')) as Record<
    string,
    { status: string; messageStartsWith: string }
  >;
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'expectations.json');

  test('returns the expected status and message for every status fixture', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    const r = run(tools.luaHealth, [
      join(root, 'charts/sluice/files/argocd-health.lua'),
      ...files.map((f) => join(dir, f)),
    ]);
    expect(r.code).toBe(0);
    const results = JSON.parse(r.out) as Record<
      string,
      { status?: string; message?: string; error?: string }
    >;
    for (const f of files) {
      const got = results[join(dir, f)];
      const want = expectations[f];
      expect({ f, status: got.status, error: got.error }).toEqual({
        f,
        status: want.status,
        error: undefined,
      });
      expect({ f, message: got.message?.slice(0, want.messageStartsWith.length) }).toEqual({
        f,
        message: want.messageStartsWith,
      });
    }
  });

  // helm template does not render NOTES; test/e2e/helm-install.test.ts checks what `helm install` prints.
  test('the chart NOTES and the Argo CD install doc ship this script', () => {
    const lua = readFileSync(join(root, 'charts/sluice/files/argocd-health.lua'), 'utf8');
    expect(readFileSync(join(root, 'charts/sluice/templates/NOTES.txt'), 'utf8')).toContain(
      '.Files.Get "files/argocd-health.lua"',
    );
    const doc = readFileSync(join(root, 'docs/install/argo-cd.md'), 'utf8').replace(/^ {4}/gm, '');
    expect(doc).toContain(lua.trimEnd());
  });
});

describe('alert rules under promtool', () => {
  let rulesFile: string;
  let work: string;
  beforeAll(() => {
    const out = helmTemplate(helm, join(root, 'charts/sluice'), [
      '--set',
      'monitoring.prometheusRule.enabled=true',
      '--show-only',
      'templates/prometheusrule.yaml',
    ]);
    const rule = yaml.load(out) as { spec: { groups: unknown[] } };
    work = mkdtempSync(join(tmpdir(), 'sluice-rules-'));
    rulesFile = join(work, 'rules.yaml');
    writeFileSync(rulesFile, yaml.dump({ groups: rule.spec.groups }, { lineWidth: -1 }));
  });

  test('promtool check rules passes, with a runbook link and severity on every alert', () => {
    const r = run(tools.promtool, ['check', 'rules', '--lint=all', '--lint-fatal', rulesFile]);
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
    type Rule = { alert?: string; labels: Record<string, string>; annotations: Record<string, string> };
    const groups = (yaml.load(readFileSync(rulesFile, 'utf8')) as { groups: { rules: Rule[] }[] }).groups;
    const alerts = groups.flatMap((g) => g.rules).filter((r) => r.alert);
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'SluiceRecordsDropped',
        'SluiceOutputBufferFillingUp',
        'SluiceOutputFailing',
        'SluiceAgentsNotOnCurrentConfig',
        'SluiceCheckpointLagGrowing',
        'SluiceOperatorNoLeader',
        'SluiceOperatorReconcileErrors',
        'SluiceDeliverySLOBurnRateFast',
        'SluiceDeliverySLOBurnRateSlow',
      ]),
    );
    const runbook = readFileSync(join(root, 'docs/operations/runbook.md'), 'utf8');
    for (const a of alerts as (Rule & { alert: string })[]) {
      const anchor = a.alert.toLowerCase();
      expect(a.annotations.runbook_url).toMatch(new RegExp(`/docs/operations/runbook\\.md#${anchor}$`));
      // GitHub derives the anchor from the heading text.
      expect([a.alert, runbook.includes(`\n## ${a.alert}\n`)]).toEqual([a.alert, true]);
      expect(['warning', 'critical']).toContain(a.labels.severity);
    }
  });

  test('promtool test rules: each alert fires on its failure and stays quiet when healthy', () => {
    const testsFile = join(work, 'tests.yaml');
    writeFileSync(testsFile, yaml.dump(ruleTests(), { lineWidth: -1 }));
    const r = run(tools.promtool, ['test', 'rules', testsFile], work);
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });
});

// Series as the agents export them, scraped every minute; the ServiceMonitor adds namespace and pod.
const A = 'namespace="sluice-system", pod="sluice-agent-a"';
const OUT = 'output="LogOutput/shop/shop-kafka"';
const OP = 'namespace="sluice-system", pod="sluice-operator';

function ruleTests() {
  const alertAt = (alertname: string, evalTime: string, exp_alerts: unknown[]) => ({
    alertname,
    eval_time: evalTime,
    exp_alerts,
  });
  return {
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests: [
      {
        // Records lost for good by one output, 10 per minute; filtered records are not a loss.
        interval: '1m',
        input_series: [
          {
            series: `sluice_records_dropped_total{${A}, pipeline="", ${OUT}, reason="buffer_full"}`,
            values: '0+10x30',
          },
          {
            series: `sluice_records_dropped_total{${A}, pipeline="LogPipeline/shop/checkout", output="", reason="filtered"}`,
            values: '0+1000x30',
          },
          { series: `sluice_output_records_in_total{${A}, ${OUT}}`, values: '0+100x30' },
        ],
        alert_rule_test: [
          alertAt('SluiceRecordsDropped', '20m', [
            {
              exp_labels: {
                severity: 'warning',
                namespace: 'sluice-system',
                output: 'LogOutput/shop/shop-kafka',
                reason: 'buffer_full',
              },
              exp_annotations: {
                summary: 'Sluice dropped records for good.',
                description:
                  '100 records of output "LogOutput/shop/shop-kafka" were dropped in the last 10 minutes (reason buffer_full).',
                runbook_url:
                  'https://github.com/sluice-dev/sluice/blob/main/docs/operations/runbook.md#sluicerecordsdropped',
              },
            },
          ]),
          // 10% lost against a 0.1% budget: burns 100x, far past 14.4x.
          alertAt('SluiceDeliverySLOBurnRateFast', '20m', [
            {
              exp_labels: {
                severity: 'critical',
                namespace: 'sluice-system',
                output: 'LogOutput/shop/shop-kafka',
              },
              exp_annotations: {
                summary: 'Sluice output loses records fast enough to exhaust its error budget within days.',
                description:
                  'Output "LogOutput/shop/shop-kafka" loses 10% of its records; the 99.9% delivery objective burns its 30-day budget at 6x or more.',
                runbook_url:
                  'https://github.com/sluice-dev/sluice/blob/main/docs/operations/runbook.md#sluicedeliverysloburnratefast',
              },
            },
          ]),
        ],
      },
      {
        // Healthy: delivering, nothing dropped, small buffers, one config: nothing fires.
        interval: '1m',
        input_series: [
          { series: `sluice_output_records_in_total{${A}, ${OUT}}`, values: '0+100x60' },
          { series: `sluice_output_records_out_total{${A}, ${OUT}}`, values: '0+100x60' },
          { series: `sluice_output_retries_total{${A}, ${OUT}}`, values: '0+1x60' },
          { series: `sluice_output_buffer_bytes{${A}, ${OUT}}`, values: '1000x60' },
          { series: `sluice_config_info{${A}, hash="abc"}`, values: '1x60' },
          {
            series: 'sluice_operator_config_info{namespace="sluice-system", pod="op-0", hash="abc"}',
            values: '1x60',
          },
          { series: 'sluice_operator_leader{namespace="sluice-system", pod="op-0"}', values: '1x60' },
          // The standby replica still shows an older hash: only the leader's counts.
          {
            series: 'sluice_operator_config_info{namespace="sluice-system", pod="op-1", hash="old"}',
            values: '1x60',
          },
          { series: 'sluice_operator_leader{namespace="sluice-system", pod="op-1"}', values: '0x60' },
          {
            series: 'sluice_config_info{namespace="sluice-system", pod="sluice-agent-b", hash="abc"}',
            values: '1x60',
          },
          {
            series: `sluice_checkpoint_lag_bytes{${A}, pipeline="p", path="/var/log/pods/x/0.log"}`,
            values: '1000x60',
          },
        ],
        alert_rule_test: [
          'SluiceRecordsDropped',
          'SluiceOutputBufferFillingUp',
          'SluiceOutputFailing',
          'SluiceAgentsNotOnCurrentConfig',
          'SluiceAgentConfigReloadFailing',
          'SluiceCheckpointLagGrowing',
          'SluiceOperatorNoLeader',
          'SluiceOperatorReconcileErrors',
          'SluiceDeliverySLOBurnRateFast',
          'SluiceDeliverySLOBurnRateSlow',
        ].map((a) => alertAt(a, '60m', [])),
      },
      {
        // An output that retries and delivers nothing, with its buffer past the threshold.
        interval: '1m',
        input_series: [
          { series: `sluice_output_retries_total{${A}, ${OUT}}`, values: '0+5x40' },
          { series: `sluice_output_records_out_total{${A}, ${OUT}}`, values: '500x40' },
          { series: `sluice_output_buffer_bytes{${A}, ${OUT}}`, values: '900000000x40' },
        ],
        alert_rule_test: [
          alertAt('SluiceOutputFailing', '30m', [
            {
              exp_labels: {
                severity: 'critical',
                namespace: 'sluice-system',
                output: 'LogOutput/shop/shop-kafka',
              },
              exp_annotations: {
                summary: 'A Sluice output delivers nothing and keeps retrying.',
                description:
                  'Output "LogOutput/shop/shop-kafka" has retried for 10 minutes without delivering a record.',
                runbook_url:
                  'https://github.com/sluice-dev/sluice/blob/main/docs/operations/runbook.md#sluiceoutputfailing',
              },
            },
          ]),
          alertAt('SluiceOutputBufferFillingUp', '30m', [
            {
              exp_labels: {
                severity: 'warning',
                namespace: 'sluice-system',
                pod: 'sluice-agent-a',
                output: 'LogOutput/shop/shop-kafka',
              },
              exp_annotations: {
                summary: 'An output buffer of a Sluice agent is filling up.',
                description:
                  'The buffer of output "LogOutput/shop/shop-kafka" on agent sluice-agent-a holds 858.3MiB; the destination is slower than the input.',
                runbook_url:
                  'https://github.com/sluice-dev/sluice/blob/main/docs/operations/runbook.md#sluiceoutputbufferfillingup',
              },
            },
          ]),
        ],
      },
      {
        // Every agent agrees, but on a configuration the leading operator replaced long ago.
        interval: '1m',
        input_series: [
          { series: `sluice_config_info{${A}, hash="old"}`, values: '1x40' },
          {
            series: 'sluice_config_info{namespace="sluice-system", pod="sluice-agent-b", hash="old"}',
            values: '1x40',
          },
          {
            series: 'sluice_operator_config_info{namespace="sluice-system", pod="op-0", hash="new"}',
            values: '1x40',
          },
          { series: 'sluice_operator_leader{namespace="sluice-system", pod="op-0"}', values: '1x40' },
        ],
        alert_rule_test: [
          alertAt('SluiceAgentsNotOnCurrentConfig', '30m', [
            {
              exp_labels: { severity: 'warning', namespace: 'sluice-system' },
              exp_annotations: {
                summary: 'Sluice agents do not run the current configuration.',
                description:
                  '2 agents (or configurations) in namespace sluice-system have not run the configuration the operator applied for 15 minutes.',
                runbook_url:
                  'https://github.com/sluice-dev/sluice/blob/main/docs/operations/runbook.md#sluiceagentsnotoncurrentconfig',
              },
            },
          ]),
        ],
      },
      {
        // Two agents on different configurations for long; one rejecting reloads; a lag that grows.
        interval: '1m',
        input_series: [
          { series: `sluice_config_info{${A}, hash="new"}`, values: '1x90' },
          {
            series: 'sluice_config_info{namespace="sluice-system", pod="sluice-agent-b", hash="old"}',
            values: '1x90',
          },
          {
            series: 'sluice_config_reload_failures_total{namespace="sluice-system", pod="sluice-agent-b"}',
            values: '0+1x90',
          },
          {
            series: `sluice_checkpoint_lag_bytes{${A}, pipeline="LogPipeline/shop/checkout", path="/var/log/pods/x/0.log"}`,
            values: '300000000+1000000x90',
          },
        ],
        alert_rule_test: [
          alertAt('SluiceAgentsNotOnCurrentConfig', '30m', [
            {
              exp_labels: { severity: 'warning', namespace: 'sluice-system' },
              exp_annotations: {
                summary: 'Sluice agents do not run the current configuration.',
                description:
                  '2 agents (or configurations) in namespace sluice-system have not run the configuration the operator applied for 15 minutes.',
                runbook_url:
                  'https://github.com/sluice-dev/sluice/blob/main/docs/operations/runbook.md#sluiceagentsnotoncurrentconfig',
              },
            },
          ]),
          alertAt('SluiceAgentConfigReloadFailing', '30m', [
            {
              exp_labels: { severity: 'warning', namespace: 'sluice-system', pod: 'sluice-agent-b' },
              exp_annotations: {
                summary: 'A Sluice agent rejects its configuration.',
                description:
                  'Agent sluice-agent-b rejected a configuration reload and keeps running the previous one.',
                runbook_url:
                  'https://github.com/sluice-dev/sluice/blob/main/docs/operations/runbook.md#sluiceagentconfigreloadfailing',
              },
            },
          ]),
          alertAt('SluiceCheckpointLagGrowing', '80m', [
            {
              exp_labels: {
                severity: 'warning',
                namespace: 'sluice-system',
                pod: 'sluice-agent-a',
                pipeline: 'LogPipeline/shop/checkout',
              },
              exp_annotations: {
                summary: 'A Sluice pipeline falls behind the logs it reads.',
                description:
                  'Pipeline "LogPipeline/shop/checkout" on agent sluice-agent-a is 362.4MiB behind and the lag keeps growing; logs may rotate away before they are read.',
                runbook_url:
                  'https://github.com/sluice-dev/sluice/blob/main/docs/operations/runbook.md#sluicecheckpointlaggrowing',
              },
            },
          ]),
        ],
      },
      {
        // Two operator replicas, neither leading; the one that tries keeps failing with Forbidden.
        interval: '1m',
        input_series: [
          { series: `sluice_operator_leader{${OP}-a"}`, values: '0x40' },
          { series: `sluice_operator_leader{${OP}-b"}`, values: '0x40' },
          {
            series: `sluice_operator_reconcile_errors_total{${OP}-a", reason="Forbidden"}`,
            values: '0+2x40',
          },
        ],
        alert_rule_test: [
          alertAt('SluiceOperatorNoLeader', '10m', [
            {
              exp_labels: { severity: 'critical', namespace: 'sluice-system' },
              exp_annotations: {
                summary: 'No Sluice operator replica leads.',
                description:
                  'The operator replicas in namespace sluice-system run, but none has held the leader Lease for 5 minutes; changes to pipelines are not applied and status is not updated.',
                runbook_url:
                  'https://github.com/sluice-dev/sluice/blob/main/docs/operations/runbook.md#sluiceoperatornoleader',
              },
            },
          ]),
          alertAt('SluiceOperatorReconcileErrors', '30m', [
            {
              exp_labels: { severity: 'warning', namespace: 'sluice-system', reason: 'Forbidden' },
              exp_annotations: {
                summary: 'The Sluice operator keeps failing to reconcile.',
                description:
                  'The operator in namespace sluice-system has failed reconciles for 15 minutes (reason Forbidden).',
                runbook_url:
                  'https://github.com/sluice-dev/sluice/blob/main/docs/operations/runbook.md#sluiceoperatorreconcileerrors',
              },
            },
          ]),
        ],
      },
      {
        // A slow leak: 0.4% lost against a 0.1% budget burns at 4x — the slow alert, not the fast one.
        interval: '10m',
        input_series: [
          {
            series: `sluice_records_dropped_total{${A}, pipeline="", ${OUT}, reason="rejected"}`,
            values: '0+40x200',
          },
          { series: `sluice_output_records_in_total{${A}, ${OUT}}`, values: '0+10000x200' },
        ],
        alert_rule_test: [
          alertAt('SluiceDeliverySLOBurnRateFast', '1500m', []),
          alertAt('SluiceDeliverySLOBurnRateSlow', '1500m', [
            {
              exp_labels: {
                severity: 'warning',
                namespace: 'sluice-system',
                output: 'LogOutput/shop/shop-kafka',
              },
              exp_annotations: {
                summary: 'Sluice output loses records faster than its error budget allows.',
                description:
                  'Output "LogOutput/shop/shop-kafka" loses 0.4% of its records; the 99.9% delivery objective burns its 30-day budget faster than it refills.',
                runbook_url:
                  'https://github.com/sluice-dev/sluice/blob/main/docs/operations/runbook.md#sluicedeliverysloburnrateslow',
              },
            },
          ]),
        ],
      },
    ],
  };
}
