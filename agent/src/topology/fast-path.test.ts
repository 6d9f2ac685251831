import { describe, expect, test } from '@jest/globals';
import { namedSchemas } from '../../../contract/agent-config/schema.ts';
import type { PipelineConfig } from '../../../contract/agent-config/types.ts';
import type { OutputBuffer } from '../buffer/types.ts';
import { OutputStats, PipelineStats } from '../ops/stats.ts';
import { fastPath, INPUT_RULES, PARSE_RULES, PIPELINE_RULES } from './fast-path.ts';
import { Pipeline } from './pipeline.ts';

const keys = (o: object) => Object.keys(o).sort();

describe('the fast path is derived from every declared option', () => {
  test.each([
    ['pipeline', namedSchemas.PipelineConfig, PIPELINE_RULES],
    ['pipeline.input', namedSchemas.PipelineInput, INPUT_RULES],
    ['pipeline.parse', namedSchemas.ParseConfig, PARSE_RULES],
  ] as const)('every option of %s in the agent config schema is classified', (_, schema, rules) => {
    expect(keys(rules)).toEqual(keys(schema.properties));
  });

  const base: PipelineConfig = { id: 'p', kind: 'ClusterLogPipeline', name: 'p', outputs: ['o'] };
  const drop = { drop: { when: { field: 'level', equals: 'debug' } } };
  test.each<[string, Partial<PipelineConfig>, boolean]>([
    ['nothing set', {}, true],
    ['format auto', { parse: { format: 'auto' } }, true],
    ['format json', { parse: { format: 'json' } }, true],
    ['format none', { parse: { format: 'none' } }, true],
    ['format logfmt', { parse: { format: 'logfmt' } }, false],
    ['format regex', { parse: { format: 'regex', pattern: '(?<m>.*)' } }, false],
    ['multiline', { parse: { multiline: { preset: 'java' } } }, false],
    ['keepOriginal', { parse: { keepOriginal: true } }, false],
    ['keepOriginal false', { parse: { keepOriginal: false } }, true],
    ['maxRecordBytes', { parse: { maxRecordBytes: 4096 } }, true],
    ['no filters', { filters: [] }, true],
    ['a filter', { filters: [drop] }, false],
    [
      'streams, namespaces, host files',
      { input: { streams: ['stderr'], namespaces: { include: ['a'] }, hostFiles: { paths: ['/x'] } } },
      true,
    ],
  ])('%s', (_, over, fast) => {
    const config = { ...base, ...over };
    expect(fastPath(config)).toBe(fast);
    const buffer = { full: false } as unknown as OutputBuffer;
    const p = new Pipeline(config, new PipelineStats(), [{ id: 'o', buffer, stats: new OutputStats() }]);
    expect(p.fast).toBe(fast);
  });
});
