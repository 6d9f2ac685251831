// A tenant's pipeline status shows a shared ClusterLogOutput's health, never the figures and error
// texts it has from other namespaces' records.
import { describe, expect, test } from '@jest/globals';
import { PLATFORM_OUTPUT_FAILING, pipelineStatus } from './compute.ts';

const now = Date.parse('2026-01-01T00:00:00Z');
const leak =
  'opensearch index logs-bank: 400 mapper_parsing_exception: failed to parse field [iban] of value [DE89370400440532013000]';
const figures = new Map([
  ['LogOutput/shop/own', { delivered: 10, bufferedBytes: 5, dropped: { rejected: 1 } }],
  [
    'ClusterLogOutput/search',
    {
      delivered: 99_000,
      bufferedBytes: 4_000_000,
      dropped: { rejected: 7 },
      lastError: leak,
      lastErrorTime: new Date(now - 1000).toISOString(),
    },
  ],
]);
const input = (tenant: boolean) => ({
  generation: 1,
  state: {
    accepted: true,
    kept: false,
    paused: false,
    outputIds: ['LogOutput/shop/own', 'ClusterLogOutput/search'],
  },
  agents: { desired: 1, ready: 1 },
  configured: 1,
  figures,
  tenant,
  now,
});

describe('a shared output in a tenant pipeline status', () => {
  test('its own output in full; the shared one as health only, no other namespace data', () => {
    const s = pipelineStatus(input(true));
    expect(s.outputs).toEqual([
      { name: 'own', kind: 'LogOutput', delivered: 10, dropped: { rejected: 1 }, bufferedBytes: 5 },
      {
        name: 'search',
        kind: 'ClusterLogOutput',
        lastError: PLATFORM_OUTPUT_FAILING,
        lastErrorTime: '2025-12-31T23:59:59Z',
      },
    ]);
    expect(s.delivered).toBe(10);
    const text = JSON.stringify(s);
    expect(text).not.toContain('DE89');
    expect(text).not.toContain('99000');
    const delivering = (s.conditions as { type: string; reason: string; message: string }[]).find(
      (c) => c.type === 'Delivering',
    )!;
    expect(delivering.reason).toBe('OutputFailing');
    expect(delivering.message).toContain(`ClusterLogOutput/search: ${PLATFORM_OUTPUT_FAILING}`);
  });

  test('a ClusterLogPipeline (the platform) sees everything, as before', () => {
    const s = pipelineStatus(input(false));
    expect(JSON.stringify(s)).toContain('DE89');
    expect(s.delivered).toBe(99_010);
  });
});
