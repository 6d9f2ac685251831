// The OpenSearch sink against the real server of test/env, through its TLS + basic-auth proxy,
// via the real agent process: 100,000 records with OpenSearch stopped for 60 s mid-run are each
// indexed exactly once (deterministic ids); a bulk request where some documents conflict with the
// mapping indexes the rest and sends exactly those to the dead-letter output, error attached.
// Through the proxy's mutual-TLS port (client certificate from a Secret, no basic auth): with no
// certificate the refusal is reported; once the Secret holds one, every record is indexed once.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { Client } from '@opensearch-project/opensearch';
import { openSearchEnv } from '../env/index.ts';
import {
  metrics,
  outageMidRun,
  prepare,
  startAgent,
  status,
  Tally,
  untilOutputError,
  waitFor,
  workDir,
  writeLogs,
  writeResources,
  writeSecret,
} from './sinks/harness.ts';
import { eachSource } from './sinks/opensearch-docs.ts';

const env = openSearchEnv();
const os = new Client({ node: env.url });
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await os.close();
});

/**
 * The output spec: basic auth over TLS into `index`; `sink`: more lines of the opensearch block
 * (batch), `output`: more lines of the output (buffer, dead letter). A ClusterLogOutput's secret
 * references name their namespace.
 */
function outputSpec(index: string, o: { sink?: string; output?: string; cluster?: boolean } = {}): string {
  const ref = (key: string) => `{name: os-user, ${o.cluster ? 'namespace: bench, ' : ''}key: ${key}}`;
  return `  opensearch:
    endpoints: [${JSON.stringify(env.secure.url)}]
    index: "${index}"
    auth: {basic: {username: ${ref('username')}, password: ${ref('password')}}}
    tls: {ca: ${ref('ca.crt')}}
${o.sink ?? ''}
  retry: {initialBackoff: 200ms, maxBackoff: 5s}
${o.output ?? ''}`;
}

function credentials(dir: string): void {
  writeSecret(dir, 'bench', 'os-user', {
    username: env.secure.username,
    password: env.secure.password,
    'ca.crt': readFileSync(env.secure.caFile, 'utf8'),
  });
}

function setup(
  name: string,
  index: string,
  files: number,
  events: number,
  opts: { sink?: string; output?: string; extra?: string } = {},
): { dir: string; m: ReturnType<typeof prepare>['m'] } {
  const { dir, m } = prepare(name, files, events);
  credentials(dir);
  writeResources(dir, 'search', outputSpec(index, opts), { extra: opts.extra });
  return { dir, m };
}

async function count(index: string): Promise<number> {
  await os.indices.refresh({ index });
  return (await os.count({ index } as never)).body.count as number;
}

/** Every document of the index pattern, through search_after on _doc. */
async function readAll(pattern: string, tally: Tally): Promise<number> {
  await os.indices.refresh({ index: pattern });
  return eachSource(os, pattern, (json) => tally.add(json));
}

async function healthy(): Promise<boolean> {
  try {
    const r = await fetch(`${env.url}/_cluster/health?wait_for_status=yellow&timeout=1s`);
    return r.status === 200;
  } catch {
    return false;
  }
}

describe('opensearch sink (basic auth over TLS)', () => {
  test('100,000 records with OpenSearch stopped for 60 s mid-run: each indexed exactly once', async () => {
    const prefix = `sink-outage-${Date.now()}`;
    const { dir, m } = setup('os-outage', `${prefix}-%Y.%m.%d`, 4, 18_600);
    expect(m.lines).toBeGreaterThanOrEqual(100_000);
    const agent = await startAgent(dir);
    cleanups.push(async () => agent.proc.kill('SIGKILL'));
    const during = await outageMidRun(agent, {
      component: 'opensearch',
      ms: 60_000,
      healthy,
      healthyTimeoutMs: 180_000,
      expected: m.lines,
      drainTimeoutMs: 240_000,
    });
    expect(during.lastError).toMatch(/opensearch/);
    expect(during.dropped).toEqual({});
    agent.proc.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    const tally = new Tally(m.files);
    const docs = await readAll(`${prefix}-*`, tally);
    process.stdout.write(
      `opensearch outage: ${m.lines} records, ${docs} documents, lost ${tally.lost}, duplicates ${tally.duplicates}\n`,
    );
    expect(tally.lostSample()).toEqual([]);
    expect(tally.duplicates).toBe(0);
    expect(docs).toBe(m.lines);
  }, 600_000);

  test('a mapping conflict on some documents: only those reach the dead letter, with the error', async () => {
    const prefix = `sink-dlq-${Date.now()}`;
    // `message` as a number: plain-text records (a string message) conflict, JSON records (msg) index.
    await os.indices.create({
      index: `${prefix}-2025.01.01`,
      body: { mappings: { properties: { message: { type: 'long' } } } },
    } as never);
    const { dir, m } = setup('os-dlq', `${prefix}-%Y.%m.%d`, 2, 2_000, {
      output: '  deadLetter: {name: dead}',
      extra: `apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: dead, namespace: bench}
spec:
  file: {path: dead.ndjson}
`,
    });
    const agent = await startAgent(dir, { once: true });
    expect(await agent.exited).toBe(0);
    const docs = await readAll(`${prefix}-*`, new Tally(m.files));
    const deadLines = readFileSync(join(dir, 'data', 'files', 'bench', 'dead.ndjson'), 'utf8')
      .trim()
      .split('\n');
    // Every record exactly once over both places (the error text may quote the record, so only
    // the attached record is counted).
    const all = new Tally(m.files);
    for (const l of deadLines) {
      const d = JSON.parse(l) as {
        error: string;
        output: string;
        record: { message?: unknown; msg?: unknown };
      };
      expect(d.error).toContain('mapper_parsing_exception');
      expect(d.output).toBe('LogOutput/bench/search');
      expect(typeof d.record.message).toBe('string');
      all.add(JSON.stringify(d.record));
    }
    await readAll(`${prefix}-*`, all);
    process.stdout.write(
      `opensearch dead letter: ${m.lines} records, ${docs} indexed, ${deadLines.length} dead-lettered\n`,
    );
    expect(docs).toBeGreaterThan(0);
    expect(deadLines.length).toBeGreaterThan(0);
    expect(docs + deadLines.length).toBe(m.lines);
    expect(all.lostSample()).toEqual([]);
    expect(all.duplicates).toBe(0);
  }, 180_000);

  test('identical lines (same text, same timestamp) are each a document; the index name comes from the record', async () => {
    const prefix = `sink-same-${Date.now()}`;
    const dir = workDir('os-same');
    credentials(dir);
    const T = '2025-03-04T05:06:07.000000001Z';
    const same = `${T} stdout F retrying...`;
    // Two namespaces (the index template reads kubernetes.namespace); in each file the same line
    // repeated, a record joined from partials, and JSON lines that are equal too.
    const lines = (n: number) => [
      ...Array.from({ length: n }, () => same),
      `${T} stdout P retry`,
      `${T} stdout F ing...`,
      ...Array.from({ length: n }, () => `${T} stderr F {"msg":"retrying...","attempt":1}`),
    ];
    writeLogs(dir, [
      { namespace: 'shop', pod: 'web', lines: lines(300) },
      { namespace: 'shop', pod: 'api', lines: lines(200) },
      { namespace: 'ops', pod: 'cron', lines: lines(150) },
    ]);
    writeResources(
      dir,
      'search',
      outputSpec(`${prefix}-{{ kubernetes.namespace }}-%Y.%m.%d`, { cluster: true }),
      {
        cluster: { namespaces: ['shop', 'ops'] },
      },
    );
    const agent = await startAgent(dir, { once: true });
    expect(await agent.exited).toBe(0);
    expect(await count(`${prefix}-shop-2025.03.04`)).toBe(2 * 300 + 1 + 2 * 200 + 1);
    expect(await count(`${prefix}-ops-2025.03.04`)).toBe(2 * 150 + 1);
    const r = await os.search({
      index: `${prefix}-*`,
      body: { size: 0, aggs: { ns: { terms: { field: '_index' } } } },
    } as never);
    const buckets = (r.body as unknown as { aggregations: { ns: { buckets: { key: string }[] } } })
      .aggregations.ns.buckets;
    expect(buckets.map((b) => b.key).sort()).toEqual([
      `${prefix}-ops-2025.03.04`,
      `${prefix}-shop-2025.03.04`,
    ]);
    // Read again from the head (checkpoints gone): the same ids, so nothing is added.
    rmSync(join(dir, 'data'), { recursive: true, force: true });
    const again = await startAgent(dir, { once: true });
    expect(await again.exited).toBe(0);
    expect(await count(`${prefix}-*`)).toBe(2 * 300 + 1 + 2 * 200 + 1 + 2 * 150 + 1);
  }, 180_000);

  test('SIGKILL mid-run and a restart (disk buffer): exactly the generated set is indexed', async () => {
    const prefix = `sink-kill-${Date.now()}`;
    const { dir, m } = setup('os-kill', `${prefix}-%Y.%m.%d`, 4, 12_500, {
      sink: '    batch: {maxRecords: 2000}',
      output: '  buffer: {type: disk}',
    });
    const kills: number[] = [];
    for (const after of [8_000, 25_000]) {
      const agent = await startAgent(dir);
      cleanups.push(async () => agent.proc.kill('SIGKILL'));
      await waitFor(
        `${after} records delivered`,
        async () => ((await status(agent))?.[0]?.delivered ?? 0) >= after,
        180_000,
      );
      agent.proc.kill('SIGKILL');
      await agent.exited;
      kills.push(await count(`${prefix}-*`));
    }
    const last = await startAgent(dir, { once: true });
    expect(await last.exited).toBe(0);
    const tally = new Tally(m.files);
    const docs = await readAll(`${prefix}-*`, tally);
    process.stdout.write(
      `opensearch kill: ${m.lines} records, documents after each kill ${kills.join(', ')}, finally ${docs}, lost ${tally.lost}, duplicates ${tally.duplicates}\n`,
    );
    expect(tally.lostSample()).toEqual([]);
    expect(tally.duplicates).toBe(0);
    expect(docs).toBe(m.lines);
  }, 420_000);
});

describe('opensearch sink (mutual TLS: client certificate from a Secret)', () => {
  test('no client certificate is reported clearly; once the Secret holds one, 10,000+ records are each indexed once', async () => {
    const prefix = `sink-mtls-${Date.now()}`;
    const { dir, m } = prepare('os-mtls', 4, 2_600);
    // The Secret exists but its certificate is not issued yet: empty values send no certificate.
    writeSecret(dir, 'bench', 'os-client', {
      'ca.crt': readFileSync(env.mtls.caFile, 'utf8'),
      'tls.crt': '',
      'tls.key': '',
    });
    writeResources(
      dir,
      'search',
      `  opensearch:
    endpoints: [${JSON.stringify(env.mtls.url)}]
    index: "${prefix}-%Y.%m.%d"
    tls:
      ca: {name: os-client, key: ca.crt}
      cert: {name: os-client, key: tls.crt}
      key: {name: os-client, key: tls.key}
  retry: {initialBackoff: 200ms, maxBackoff: 2s}`,
    );
    const agent = await startAgent(dir);
    cleanups.push(async () => agent.proc.kill('SIGKILL'));
    const out = await untilOutputError(agent, 'refused the TLS client certificate');
    expect(out.delivered).toBe(0);
    expect(out.lastError).toContain(`Secret bench/os-client key 'tls.crt'`);
    expect(out.lastError).toContain('alert certificate required');
    expect(out.lastError).toContain('the agent retries as soon as it changes');
    expect(await metrics(agent)).toMatch(
      /sluice_output_errors_total\{output="LogOutput\/bench\/search",code="SLUICE_ERR_SINK_AUTH"\} [1-9]/,
    );
    expect(agent.stderr()).toContain('refused the TLS client certificate');

    // Rotate the certificate in: the agent re-reads the Secret, no restart.
    writeSecret(dir, 'bench', 'os-client', {
      'tls.crt': readFileSync(env.mtls.certFile, 'utf8'),
      'tls.key': readFileSync(env.mtls.keyFile, 'utf8'),
    });
    await waitFor(
      'every record indexed after the certificate was added',
      async () => {
        const s = (await status(agent))?.[0];
        return s !== undefined && s.delivered >= m.lines && s.bufferedBytes === 0;
      },
      120_000,
    );
    agent.proc.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    const tally = new Tally(m.files);
    const docs = await readAll(`${prefix}-*`, tally);
    process.stdout.write(`opensearch mtls: ${m.lines} records, ${docs} documents\n`);
    expect(m.lines).toBeGreaterThanOrEqual(10_000);
    expect(tally.lostSample()).toEqual([]);
    expect(tally.duplicates).toBe(0);
    expect(docs).toBe(m.lines);
  }, 240_000);
});
