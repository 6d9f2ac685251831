// OpenSearch of test/env is real: 10,000 documents are bulk-indexed through the authenticating TLS
// proxy and found again by search; requests without credentials are refused; the proxy's mutual-TLS
// port answers a client with the env's client certificate and refuses one without.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { Client } from '@opensearch-project/opensearch';
import { openSearchEnv } from '../env/index.ts';
import { http } from '../env/wait.ts';

const env = openSearchEnv();
const ca = readFileSync(env.secure.caFile, 'utf8');
const N = 10_000;
const index = `smoke-${Date.now()}`;

describe('test env: OpenSearch', () => {
  test(`bulk-indexes ${N} documents and searches them (basic auth over TLS)`, async () => {
    const client = new Client({
      node: env.secure.url,
      auth: { username: env.secure.username, password: env.secure.password },
      ssl: { ca },
    });
    await client.indices.create({
      index,
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: {
          properties: { level: { type: 'keyword' }, seq: { type: 'integer' }, message: { type: 'text' } },
        },
      },
    });
    const levels = ['debug', 'info', 'warn', 'error'];
    for (let start = 0; start < N; start += 2500) {
      const body = Array.from({ length: 2500 }, (_, i) => [
        { index: { _index: index, _id: `doc-${start + i}` } },
        { seq: start + i, level: levels[(start + i) % 4], message: `line ${start + i} of the smoke test` },
      ]).flat();
      const res = await client.bulk({ body, refresh: false });
      expect(res.body.errors).toBe(false);
    }
    await client.indices.refresh({ index });
    const count = await client.count({ index });
    expect(count.body.count).toBe(N);
    const errors = await client.search({
      index,
      body: { query: { term: { level: 'error' } }, size: 0, track_total_hits: true },
    });
    expect(errors.body.hits.total).toMatchObject({ value: N / 4 });
    const one = await client.search({ index, body: { query: { match: { message: 'line 4242' } }, size: 1 } });
    expect(one.body.hits.hits[0]?._id).toBe('doc-4242');
    await client.close();
  }, 120_000);

  test('the proxy refuses requests without credentials', async () => {
    const res = await http(`${env.secure.url}/_cluster/health`, { ca });
    expect(res.status).toBe(401);
  });

  test('the mutual-TLS port requires a client certificate signed by the env CA', async () => {
    const res = await http(`${env.mtls.url}/`, {
      ca,
      cert: readFileSync(env.mtls.certFile, 'utf8'),
      key: readFileSync(env.mtls.keyFile, 'utf8'),
    });
    expect(JSON.parse(res.body).version.number).toBe(env.version);
    await expect(http(`${env.mtls.url}/`, { ca })).rejects.toThrow(/certificate required/);
  });

  test('the plain endpoint is OpenSearch itself', async () => {
    const res = await http(env.url);
    expect(JSON.parse(res.body).version.number).toBe(env.version);
  });
});
