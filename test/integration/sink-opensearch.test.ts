// The OpenSearch sink against the real server of test/env, through its TLS + basic-auth proxy,
// via the real agent process: 100,000 records with OpenSearch stopped for 60 s mid-run are each
// indexed exactly once (deterministic ids); a bulk request where some documents conflict with the
// mapping indexes the rest and sends exactly those to the dead-letter output, error attached.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { Client } from '@opensearch-project/opensearch';
import { openSearchEnv, stopComponentProcess } from '../env/index.ts';
import {
  generate,
  sleep,
  startAgent,
  status,
  Tally,
  waitFor,
  workDir,
  writeSecret,
} from './sinks/harness.ts';

const env = openSearchEnv();
const os = new Client({ node: env.url });
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await os.close();
});

function setup(name: string, index: string, extra = ''): { dir: string; m: ReturnType<typeof generate> } {
  const dir = workDir(name);
  const m = generate(dir, name === 'os-dlq' ? 2 : 4, name === 'os-dlq' ? 2_000 : 18_600);
  writeSecret(dir, 'bench', 'os-user', {
    username: env.secure.username,
    password: env.secure.password,
    'ca.crt': readFileSync(env.secure.caFile, 'utf8'),
  });
  writeFileSync(
    join(dir, 'resources.yaml'),
    `apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: search, namespace: bench}
spec:
  opensearch:
    endpoints: [${JSON.stringify(env.secure.url)}]
    index: "${index}"
    auth: {basic: {username: {name: os-user, key: username}, password: {name: os-user, key: password}}}
    tls: {ca: {name: os-user, key: ca.crt}}
  retry: {initialBackoff: 200ms, maxBackoff: 5s}
${extra}---
apiVersion: sluice.dev/v1alpha1
kind: LogPipeline
metadata: {name: app, namespace: bench}
spec:
  outputs: [{name: search}]
`,
  );
  return { dir, m };
}

/** Every document of the index pattern, through search_after on _doc. */
async function readAll(pattern: string, tally: Tally): Promise<number> {
  await os.indices.refresh({ index: pattern });
  let after: unknown[] | undefined;
  let n = 0;
  for (;;) {
    const r = await os.search({
      index: pattern,
      body: {
        size: 10_000,
        sort: ['_doc'],
        ...(after ? { search_after: after } : {}),
        query: { match_all: {} },
      },
    } as never);
    const hits = (r.body as { hits: { hits: { _source: unknown; sort: unknown[] }[] } }).hits.hits;
    if (hits.length === 0) return n;
    for (const h of hits) tally.add(JSON.stringify(h._source));
    n += hits.length;
    after = hits[hits.length - 1]!.sort;
  }
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
    const { dir, m } = setup('os-outage', `${prefix}-%Y.%m.%d`);
    expect(m.lines).toBeGreaterThanOrEqual(100_000);
    const agent = await startAgent(dir);
    cleanups.push(async () => agent.proc.kill('SIGKILL'));
    await waitFor(
      'some records indexed',
      async () => ((await status(agent))?.[0]?.delivered ?? 0) > 15_000,
      120_000,
    );
    const stopped = stopComponentProcess('opensearch');
    let restarted = false;
    cleanups.push(async () => {
      if (!restarted) stopped.start();
    });
    await sleep(60_000);
    const during = (await status(agent))![0]!;
    expect(during.lastError).toMatch(/opensearch/);
    expect(during.dropped).toEqual({});
    stopped.start();
    restarted = true;
    await waitFor('opensearch back', healthy, 180_000);
    await waitFor(
      'everything delivered',
      async () => {
        const s = (await status(agent))?.[0];
        return s !== undefined && s.delivered >= m.lines && s.bufferedBytes === 0;
      },
      240_000,
    );
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
    const { dir, m } = setup(
      'os-dlq',
      `${prefix}-%Y.%m.%d`,
      `  deadLetter: {name: dead}
---
apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: dead, namespace: bench}
spec:
  file: {path: dead.ndjson}
`,
    );
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
});
