import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import * as yaml from 'js-yaml';
import { compileResources, resolve } from './index.ts';

const examples = join(import.meta.dirname, '../../../examples');
const load = (f: string) => yaml.loadAll(readFileSync(join(examples, f), 'utf8'));
const all = [
  'kafka-sasl-tls.yaml',
  'opensearch-basic-auth.yaml',
  's3-archive.yaml',
  'java-service-pipeline.yaml',
  'host-syslog.yaml',
  'debug-stdout.yaml',
].flatMap(load);

const lp = (name: string, outputs: unknown[], ns = 'shop') => ({
  apiVersion: 'sluice.dev/v1alpha1',
  kind: 'LogPipeline',
  metadata: { name, namespace: ns },
  spec: { outputs },
});
const lo = (name: string, ns = 'shop', extra: Record<string, unknown> = {}) => ({
  apiVersion: 'sluice.dev/v1alpha1',
  kind: 'LogOutput',
  metadata: { name, namespace: ns },
  spec: { stdout: {}, ...extra },
});

describe('compile', () => {
  test('the examples compile into one agent config; every pipeline accepted', () => {
    const { config, problems } = compileResources(all);
    expect(problems).toEqual([]);
    expect(config.pipelines.map((p) => p.id)).toEqual([
      'ClusterLogPipeline/node-syslog',
      'LogPipeline/shop/cart-debug',
      'LogPipeline/shop/checkout',
    ]);
    const checkout = config.pipelines.find((p) => p.id === 'LogPipeline/shop/checkout')!;
    expect(checkout.input?.namespaces).toEqual({ include: ['shop'] });
    expect(checkout.parse).toEqual({
      format: 'auto',
      maxRecordBytes: 1048576,
      multiline: { preset: 'java', flushTimeoutMs: 1000 },
    });
    expect(checkout.outputs).toEqual([
      'LogOutput/shop/shop-kafka',
      'ClusterLogOutput/archive',
      'LogOutput/shop/search',
    ]);
    expect(checkout.filters?.[0]).toEqual({ drop: { when: { field: 'level', in: ['debug', 'trace'] } } });
  });

  test('secrets appear as references, never values, and buffer sizes as bytes', () => {
    const { config } = compileResources(all);
    const kafka = config.outputs.find((o) => o.id === 'LogOutput/shop/shop-kafka')!;
    expect(kafka.type).toBe('kafka');
    expect(kafka.options?.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: { secret: { namespace: 'shop', name: 'kafka-user', key: 'username' } },
      password: { secret: { namespace: 'shop', name: 'kafka-user', key: 'password' } },
    });
    expect(kafka.buffer).toEqual({ type: 'disk', maxSize: 2 * 1024 ** 3, whenFull: 'block' });
    expect(kafka.batch).toEqual({ maxBytes: 1024 ** 2, maxRecords: 5000, maxAgeMs: 200 });
    expect(kafka.deadLetter).toBe('ClusterLogOutput/archive');
  });

  test('the exclude annotation binds a ClusterLogPipeline only when it opts in; a LogPipeline may not ask', () => {
    const clp = (name: string, input: Record<string, unknown>) => ({
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'ClusterLogPipeline',
      metadata: { name },
      spec: { input: { namespaces: {}, ...input }, outputs: [{ name: 'all', kind: 'ClusterLogOutput' }] },
    });
    const out = {
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'ClusterLogOutput',
      metadata: { name: 'all' },
      spec: { stdout: {} },
    };
    const { config, problems } = compileResources([
      out,
      clp('audit', {}),
      clp('apps', { honorExcludeAnnotation: true }),
    ]);
    expect(problems).toEqual([]);
    const input = (id: string) => config.pipelines.find((p) => p.id === id)?.input;
    expect(input('ClusterLogPipeline/audit')?.excludeAnnotation).toBeUndefined();
    expect(input('ClusterLogPipeline/apps')?.excludeAnnotation).toBe(true);
    const tenant = {
      ...lp('shop', [{ name: 'o' }]),
      spec: { input: { honorExcludeAnnotation: false }, outputs: [{ name: 'o' }] },
    };
    const r = compileResources([lo('o'), tenant]);
    expect(r.problems.map((x) => x.message)).toEqual([
      expect.stringContaining('spec.input.honorExcludeAnnotation: unknown field'),
    ]);
  });

  test('the config is stable: same input, same bytes', () => {
    expect(JSON.stringify(compileResources(all).config)).toBe(
      JSON.stringify(compileResources([...all].reverse()).config),
    );
  });
});

describe('resolve: one bad reference rejects only its pipeline', () => {
  test('missing output', () => {
    const { problems, config } = compileResources([
      lp('a', [{ name: 'nope' }]),
      lp('b', [{ name: 'ok' }]),
      lo('ok'),
    ]);
    expect(problems).toEqual([
      {
        id: 'LogPipeline/shop/a',
        reason: 'OutputNotFound',
        message: expect.stringContaining('LogOutput/shop/nope, which does not exist'),
      },
    ]);
    expect(config.pipelines.map((p) => p.id)).toEqual(['LogPipeline/shop/b']);
  });

  test('an output of another namespace is not reachable by name', () => {
    const { problems } = compileResources([lp('a', [{ name: 'theirs' }]), lo('theirs', 'other')]);
    expect(problems[0]).toMatchObject({ id: 'LogPipeline/shop/a', reason: 'OutputNotFound' });
  });

  test('a shared ClusterLogOutput routing by a value tenants set refuses LogPipelines, until the platform allows the field', () => {
    const shared = (name: string, block: Record<string, unknown>, routingFields?: string[]) => ({
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'ClusterLogOutput',
      metadata: { name },
      spec: { ...block, allowedNamespaces: { names: ['shop'], ...(routingFields ? { routingFields } : {}) } },
    });
    const ref = (name: string) => [{ name, kind: 'ClusterLogOutput' }];
    const os = (index?: string) => ({
      opensearch: { endpoints: ['https://os:9200'], ...(index ? { index } : {}) },
    });
    const { problems, config } = compileResources([
      shared('by-default', os()), // logs-{{ kubernetes.namespace }}-%Y.%m.%d
      shared('by-node', {
        s3: { bucket: 'archive', region: 'eu-west-1', keyPrefix: '{{ kubernetes.node }}/{{ stream }}/%Y/' },
      }),
      shared('by-label', os('logs-{{ kubernetes.labels.team }}')),
      shared('by-label-allowed', os('logs-{{ kubernetes.labels.team }}'), ['kubernetes.labels.team']),
      shared('by-pipeline', os('logs-{{ pipeline }}')),
      shared('by-field', { kafka: { brokers: ['k:9092'], topic: 'logs', topicField: 'topic' } }),
      lp('a', ref('by-default')),
      lp('b', ref('by-node')),
      lp('c', ref('by-label')),
      lp('d', ref('by-label-allowed')),
      lp('e', ref('by-pipeline')),
      lp('f', ref('by-field')),
    ]);
    expect(config.pipelines.map((p) => p.id)).toEqual([
      'LogPipeline/shop/a',
      'LogPipeline/shop/b',
      'LogPipeline/shop/d',
    ]);
    expect(problems).toEqual([
      {
        id: 'LogPipeline/shop/c',
        reason: 'OutputNotAllowed',
        message: expect.stringContaining(
          'whose spec.opensearch.index picks the destination from "kubernetes.labels.team", a value tenants set',
        ),
      },
      {
        id: 'LogPipeline/shop/e',
        reason: 'OutputNotAllowed',
        message: expect.stringContaining('spec.opensearch.index picks the destination from "pipeline"'),
      },
      {
        id: 'LogPipeline/shop/f',
        reason: 'OutputNotAllowed',
        message: expect.stringContaining('spec.kafka.topicField picks the destination from "topic"'),
      },
    ]);
    // ClusterLogPipelines are the platform's own: the same outputs serve them.
    const platform = compileResources([
      shared('by-field', { kafka: { brokers: ['k:9092'], topic: 'logs', topicField: 'topic' } }),
      {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'ClusterLogPipeline',
        metadata: { name: 'all' },
        spec: { input: { namespaces: {} }, outputs: ref('by-field') },
      },
    ]);
    expect(platform.problems).toEqual([]);
  });

  test('a ClusterLogOutput that does not admit the namespace', () => {
    const clo = (allowed?: unknown) => ({
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'ClusterLogOutput',
      metadata: { name: 'shared' },
      spec: { stdout: {}, ...(allowed ? { allowedNamespaces: allowed } : {}) },
    });
    const pipe = lp('a', [{ name: 'shared', kind: 'ClusterLogOutput' }]);
    expect(compileResources([pipe, clo()]).problems[0]).toMatchObject({ reason: 'OutputNotAllowed' });
    expect(compileResources([pipe, clo({ names: ['other'] })]).problems[0]).toMatchObject({
      reason: 'OutputNotAllowed',
    });
    expect(compileResources([pipe, clo({ names: ['shop'] })]).problems).toEqual([]);
  });

  test('namespace selectors are judged when namespaces are known', () => {
    const { resolution } = compileResources([]);
    expect(resolution.accepted.size).toBe(0);
    const pipe = compileResources([lp('a', [{ name: 'shared', kind: 'ClusterLogOutput' }])]).resolution;
    expect(pipe.rejected.size).toBe(1);
    const world = (labels: Record<string, string>) =>
      resolve({
        pipelines: [lp('a', [{ name: 'shared', kind: 'ClusterLogOutput' }]) as never],
        outputs: [
          {
            apiVersion: 'sluice.dev/v1alpha1',
            kind: 'ClusterLogOutput',
            metadata: { name: 'shared' },
            spec: { stdout: {}, allowedNamespaces: { selector: { matchLabels: { logs: 'shared' } } } },
          } as never,
        ],
        namespaces: new Map([['shop', labels]]),
      });
    expect(world({ logs: 'shared' }).rejected.size).toBe(0);
    expect(world({}).rejected.get('LogPipeline/shop/a')?.reason).toBe('OutputNotAllowed');
  });

  test("a LogOutput may use the agent's cloud identity only where the platform labelled the namespace", () => {
    const s3 = (credentials?: unknown) =>
      lo('archive', 'shop', {
        stdout: undefined,
        s3: { bucket: 'archive', region: 'eu-west-1', ...(credentials ? { credentials } : {}) },
      });
    const os = lo('search', 'shop', {
      stdout: undefined,
      opensearch: { endpoints: ['https://os:443'], auth: { awsSigV4: { region: 'eu-west-1' } } },
    });
    const keys = { accessKeyId: { name: 'aws', key: 'id' }, secretAccessKey: { name: 'aws', key: 'secret' } };
    const world = (labels: Record<string, string>, outputs: unknown[]) =>
      resolve({ pipelines: [], outputs: outputs as never, namespaces: new Map([['shop', labels]]) }).outputs;
    const unlabelled = world({}, [s3(), os]);
    expect(unlabelled.get('LogOutput/shop/archive')?.rejection).toEqual({
      reason: 'AgentIdentityNotAllowed',
      message: expect.stringContaining(
        '(spec.s3 has no credentials: the default AWS credential chain), which namespace "shop" may not use',
      ),
    });
    expect(unlabelled.get('LogOutput/shop/search')?.rejection?.message).toContain(
      'ask the platform team to label the namespace sluice.dev/agent-identity=allowed',
    );
    // Credentials of its own: fine anywhere.
    expect(world({}, [s3(keys)]).get('LogOutput/shop/archive')?.rejection).toBeUndefined();
    // The platform's leave (tenants cannot label their namespace).
    const allowed = world({ 'sluice.dev/agent-identity': 'allowed' }, [s3(), os]);
    expect([...allowed.values()].map((o) => o.rejection)).toEqual([undefined, undefined]);
    // Offline (sluice run/validate: no namespaces known) it is not judged.
    expect(compileResources([s3(), os]).problems).toEqual([]);
  });

  test('missing secret and missing key, when secrets are known', () => {
    const kafka = lo('k', 'shop', {
      stdout: undefined,
      kafka: {
        brokers: ['k:9092'],
        topic: 't',
        sasl: {
          mechanism: 'plain',
          username: { name: 'cred', key: 'user' },
          password: { name: 'cred', key: 'pass' },
        },
      },
    });
    delete (kafka.spec as Record<string, unknown>).stdout;
    const pipe = lp('a', [{ name: 'k' }]);
    const { resolution } = compileResources([pipe, kafka]);
    const at = (secrets: Map<string, Set<string>>) =>
      resolve({
        pipelines: [...resolution.accepted.values()].map((v) => v.pipeline),
        outputs: [...resolution.outputs.values()].map((v) => v.output),
        secrets,
      });
    expect(at(new Map()).rejected.get('LogPipeline/shop/a')?.reason).toBe('ReferencedSecretMissing');
    expect(at(new Map([['shop/cred', new Set(['user'])]])).rejected.get('LogPipeline/shop/a')?.reason).toBe(
      'ReferencedSecretKeyMissing',
    );
    expect(at(new Map([['shop/cred', new Set(['user', 'pass'])]])).rejected.size).toBe(0);
  });

  test('an invalid output rejects the pipelines that use it with its own message', () => {
    const bad = lo('bad', 'shop', { kafka: { brokers: [], topic: 't' } });
    const { problems } = compileResources([lp('a', [{ name: 'bad' }]), bad]);
    expect(problems.map((p) => p.reason).sort()).toEqual(['InvalidSpec', 'OutputInvalid']);
  });

  test('a dead-letter output is in the config but receives none of the pipeline records', () => {
    const { config, problems } = compileResources([
      lp('a', [{ name: 'o' }]),
      lo('o', 'shop', { stdout: {}, deadLetter: { name: 'dlq' } }),
      lo('dlq', 'shop', { stdout: {} }),
    ]);
    expect(problems).toEqual([]);
    expect(config.pipelines[0]!.outputs).toEqual(['LogOutput/shop/o']);
    expect(config.outputs.map((o) => o.id)).toEqual(['LogOutput/shop/dlq', 'LogOutput/shop/o']);
    expect(config.outputs[1]!.deadLetter).toBe('LogOutput/shop/dlq');
  });

  test('a missing dead letter rejects the pipelines that reach it', () => {
    const { problems } = compileResources([
      lp('a', [{ name: 'o' }]),
      lo('o', 'shop', { deadLetter: { name: 'dlq' } }),
    ]);
    expect(problems[0]).toMatchObject({ reason: 'DeadLetterNotFound' });
  });
});
