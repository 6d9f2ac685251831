// The operator ↔ agent contract (contract/), from both sides: what the operator compiles the agent
// accepts and can build, for every destination of the table; what an agent reports the operator
// reads back; both sides match selectors with the one implementation.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import * as yaml from 'js-yaml';
import { validateAgentConfig } from '../../agent/src/config/index.ts';
import { buildReport } from '../../agent/src/ops/report.ts';
import { AgentStats } from '../../agent/src/ops/stats.ts';
import { directorySecretStore } from '../../agent/src/secrets/directory.ts';
import { makeSink } from '../../agent/src/sinks/registry.ts';
import { REPORT_HASH_ANNOTATION, REPORT_LABEL, REPORT_STATS_ANNOTATION } from '../../contract/report.ts';
import { DESTINATION_TYPES, type DestinationType } from '../../destinations/index.ts';
import { compileResources } from '../../operator/src/compile/index.ts';
import { aggregateReports } from '../../operator/src/status/agents.ts';

const examples = join(import.meta.dirname, '..', '..', 'examples');
const load = (f: string) => yaml.loadAll(readFileSync(join(examples, f), 'utf8'));

/** The smallest valid block of each destination (tsc wants one per table entry). */
const MINIMAL: Record<DestinationType, object> = {
  kafka: { brokers: ['kafka:9092'], topic: 'logs' },
  opensearch: { endpoints: ['https://search:9200'] },
  s3: {
    bucket: 'logs',
    credentials: { accessKeyId: { name: 's3', key: 'id' }, secretAccessKey: { name: 's3', key: 'secret' } },
  },
  file: { path: 'app.ndjson' },
  stdout: {},
};

const pipeline = (outputs: string[]) => ({
  apiVersion: 'sluice.dev/v1alpha1',
  kind: 'LogPipeline',
  metadata: { name: 'app', namespace: 'shop' },
  spec: { outputs: outputs.map((name) => ({ name })) },
});
const output = (type: DestinationType) => ({
  apiVersion: 'sluice.dev/v1alpha1',
  kind: 'LogOutput',
  metadata: { name: `to-${type}`, namespace: 'shop' },
  spec: { [type]: MINIMAL[type] },
});

describe('operator → agent config', () => {
  test('what the operator compiles from every example, the agent accepts', () => {
    const docs = readdirYaml().flatMap(load);
    const { config, problems } = compileResources(docs);
    expect(problems).toEqual([]);
    expect(config.outputs.length).toBeGreaterThan(3);
    const r = validateAgentConfig(config);
    expect(r.ok ? [] : r.problems).toEqual([]);
  });

  test.each(DESTINATION_TYPES)('a %s output compiles, validates and builds a sink', async (type) => {
    const { config, problems } = compileResources([pipeline([`to-${type}`]), output(type)]);
    expect(problems).toEqual([]);
    const r = validateAgentConfig(config);
    expect(r.ok ? [] : r.problems).toEqual([]);
    const compiled = config.outputs[0]!;
    expect(compiled.type).toBe(type);
    const secrets = directorySecretStore('/nonexistent', 60_000);
    const sink = makeSink(compiled, { secrets, log: () => {} });
    expect(typeof sink.encoder.encode).toBe('function');
    await sink.service.close();
    secrets.close();
  });

  test('options the agent does not know are refused, per destination', () => {
    const { config } = compileResources([pipeline(['to-kafka']), output('kafka')]);
    config.outputs[0]!.options = { ...config.outputs[0]!.options, topicFeild: 'x' };
    const r = validateAgentConfig(config);
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual(['/outputs/0/options']);
  });
});

describe('agent → operator report', () => {
  test('the figures an agent reports are the figures status sums', () => {
    const stats = new AgentStats();
    const o = stats.output('LogOutput/shop/to-kafka');
    o.recordsOut = 2000;
    o.bufferBytes = 512;
    o.drop('rejected', 3);
    const now = Date.now();
    const lease = (node: string) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: `sluice-agent-${node}`,
        labels: { [REPORT_LABEL]: 'true' },
        annotations: {
          [REPORT_HASH_ANNOTATION]: 'abc',
          [REPORT_STATS_ANNOTATION]: JSON.stringify(buildReport(stats)),
        },
      },
      spec: { renewTime: new Date(now).toISOString(), leaseDurationSeconds: 60 },
    });
    const agg = aggregateReports([lease('a'), lease('b')], now);
    expect(agg.live).toBe(2);
    expect(agg.agents).toEqual([{ shards: new Map([['', 'abc']]), count: 2 }]);
    expect(agg.outputs.get('LogOutput/shop/to-kafka')).toMatchObject({
      delivered: 4000,
      bufferedBytes: 1024,
      dropped: { rejected: 6 },
    });
  });
});

function readdirYaml(): string[] {
  return readdirSync(examples).filter((f) => f.endsWith('.yaml'));
}
