// The exposition text the agent serves on /metrics (format 0.0.4), in the layout prom-client wrote.
import { describe, expect, test } from '@jest/globals';
import { makeMetrics } from './metrics.ts';
import { AgentStats } from './stats.ts';

describe('agent metrics', () => {
  test('counters and gauges with their labels, escaped, a blank line between metrics', async () => {
    const stats = new AgentStats();
    const p = stats.pipeline('LogPipeline/ns/a"b\\c\nd');
    p.recordsIn = 5;
    p.drop('bufferFull' as never, 2);
    const o = stats.output('LogOutput/ns/out');
    o.drop('rejected' as never, 4);
    o.recordsOut = 3;
    stats.configHash = 'abc';
    const text = await makeMetrics(stats).metrics();
    expect(text).toContain(
      [
        '# HELP sluice_pipeline_records_in_total Records read by a pipeline.',
        '# TYPE sluice_pipeline_records_in_total counter',
        'sluice_pipeline_records_in_total{pipeline="LogPipeline/ns/a\\"b\\\\c\\nd"} 5',
        '',
        '# HELP sluice_pipeline_bytes_in_total',
      ].join('\n'),
    );
    expect(text).toContain(
      'sluice_records_dropped_total{pipeline="LogPipeline/ns/a\\"b\\\\c\\nd",output="",reason="bufferFull"} 2\n' +
        'sluice_records_dropped_total{pipeline="",output="LogOutput/ns/out",reason="rejected"} 4\n',
    );
    expect(text).toContain('sluice_output_records_out_total{output="LogOutput/ns/out"} 3\n');
    expect(text).toContain('# TYPE sluice_config_info gauge\nsluice_config_info{hash="abc"} 1\n');
    // without labels: one sample, 0 until something counts
    expect(text).toContain('# TYPE sluice_file_rotations_total counter\nsluice_file_rotations_total 0\n');
    expect(text.endsWith('\n')).toBe(true);
    const names = makeMetrics(stats)
      .getMetricsAsArray()
      .map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('sluice_checkpoint_lag_bytes');
  });
});
