import { describe, expect, test } from '@jest/globals';
import {
  REPORT_HASH_ANNOTATION,
  REPORT_LABEL,
  REPORT_SHARDS_ANNOTATION,
  REPORT_STATS_ANNOTATION,
} from '../../../contract/report.ts';
import type { KubeObject } from '../kube/client.ts';
import { aggregateReports, reportDelta } from './agents.ts';

const now = Date.parse('2026-12-03T10:00:00Z');
const lease = (
  node: string,
  shards: Record<string, string>,
  opts: { base?: string; stats?: string; renewed?: number } = {},
): KubeObject => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: {
    name: `sluice-agent-${node}`,
    labels: { [REPORT_LABEL]: 'true' },
    annotations: {
      [REPORT_HASH_ANNOTATION]: opts.base ?? 'b0',
      [REPORT_SHARDS_ANNOTATION]: JSON.stringify(shards),
      [REPORT_STATS_ANNOTATION]: opts.stats ?? '{"v":1,"o":{}}',
    },
  },
  spec: { renewTime: new Date(opts.renewed ?? now).toISOString(), leaseDurationSeconds: 120 },
});

describe('agent reports with config shards', () => {
  test('agents that run the same shards form one group; the base hash is the "" shard', () => {
    const a = aggregateReports(
      [lease('a', { shop: 's1' }), lease('b', { shop: 's1' }), lease('c', { shop: 's0' })],
      now,
    );
    expect(a.agents).toEqual([
      {
        shards: new Map([
          ['shop', 's1'],
          ['', 'b0'],
        ]),
        count: 2,
      },
      {
        shards: new Map([
          ['shop', 's0'],
          ['', 'b0'],
        ]),
        count: 1,
      },
    ]);
  });

  test('a change of shard hashes only re-checks those namespaces; anything else re-checks every status', () => {
    const old = lease('a', { shop: 's1', web: 'w1' });
    expect(reportDelta(old, lease('a', { shop: 's2', web: 'w1', new: 'n1' }), false, now)).toEqual({
      all: false,
      namespaces: new Set(['shop', 'new']),
    });
    // a heartbeat: nothing to re-check
    expect(
      reportDelta(old, lease('a', { shop: 's1', web: 'w1' }, { renewed: now + 1000 }), false, now),
    ).toEqual({
      all: false,
      namespaces: new Set(),
    });
    expect(reportDelta(old, lease('a', { shop: 's1', web: 'w1' }, { base: 'b1' }), false, now).all).toBe(
      true,
    );
    expect(
      reportDelta(
        old,
        lease('a', { shop: 's1', web: 'w1' }, { stats: '{"v":1,"o":{"x":{"d":1,"b":0}}}' }),
        false,
        now,
      ).all,
    ).toBe(true);
    expect(reportDelta(undefined, old, false, now).all).toBe(true);
    expect(reportDelta(old, old, true, now).all).toBe(true);
    // an agent coming back from stale changes the live count
    expect(reportDelta(lease('a', {}, { renewed: now - 600_000 }), old, false, now).all).toBe(true);
  });
});
