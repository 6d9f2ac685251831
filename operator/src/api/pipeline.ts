// LogPipeline (namespaced) and ClusterLogPipeline (cluster-scoped): what to collect, how to
// parse and filter it, and where to send it. The two share everything but the input section.
import { INPUT_APIS, INPUT_TYPES } from '../inputs/index.ts';
import { outputRef } from './common.ts';
import {
  arr,
  bool,
  duration,
  enumOf,
  exactlyOne,
  int,
  obj,
  quantity,
  type Schema,
  str,
  strMap,
} from './dsl.ts';

export const PARSE_FORMATS = ['auto', 'json', 'logfmt', 'regex', 'none'] as const;
export const MULTILINE_TYPES = ['java', 'go', 'python', 'custom'] as const;
export const REDACT_PATTERNS = ['creditCard', 'email', 'bearerToken', 'awsKey', 'jwt'] as const;
export const THROTTLE_SCOPES = ['pod', 'namespace'] as const;
export const FILTER_TYPES = ['drop', 'keep', 'redact', 'add', 'remove', 'rename', 'throttle'] as const;
export const CONDITION_OPERATORS = ['equals', 'in', 'notIn', 'matches', 'exists'] as const;

const fieldPath = (description: string): Schema =>
  str(description, { maxLength: 256, minLength: 1, pattern: '^[A-Za-z0-9_@$-]+(\\.[A-Za-z0-9_@$/-]+)*$' });

const namespacedInput: Schema = obj(
  'Containers to collect. A LogPipeline only ever sees pods of its own namespace.',
  Object.assign({}, ...INPUT_TYPES.map((t) => INPUT_APIS[t].fields(false))),
);

const clusterInput: Schema = obj(
  'What to collect: container logs of selected namespaces, and files of the nodes themselves.',
  Object.assign({}, ...INPUT_TYPES.map((t) => INPUT_APIS[t].fields(true))),
  {
    'x-kubernetes-validations': [
      {
        rule: INPUT_TYPES.map((t) => INPUT_APIS[t].asked.cel).join(' || '),
        message: `collects nothing: set ${INPUT_TYPES.map((t) => INPUT_APIS[t].asked.hint).join(' and/or ')}`,
      },
    ],
  },
);

const parse: Schema = obj(
  'How each log line becomes a record.',
  {
    format: enumOf(
      '`auto` parses bodies that look like JSON and keeps others as text; `json`, `logfmt` and `regex` always try their format; `none` keeps the raw message. Unparseable bodies keep the raw `message`.',
      PARSE_FORMATS,
      { default: 'auto' },
    ),
    regex: str(
      'For `format: regex`: a JavaScript regular expression with named groups that become fields. Runs on a linear-time engine: backreferences, lookahead, inline modifiers `(?i:...)`, capture groups in a lookbehind and counts above 16 (`{17}`; nested counts multiply) are rejected (docs/security.md, tenant patterns).',
      {
        maxLength: 4096,
        example: '^(?<time>\\S+) (?<level>\\w+) (?<msg>.*)$',
      },
    ),
    multiline: obj(
      'Join lines that belong together (stack traces) into one record.',
      {
        type: enumOf(
          '`java` (exceptions and `at ...` frames), `go` (panics and goroutine dumps), `python` (tracebacks), or `custom` with your own patterns.',
          MULTILINE_TYPES,
        ),
        startPattern: str(
          'For `custom`: a line matching this regex starts a new record. Linear-time engine, as `spec.parse.regex`.',
          {
            maxLength: 4096,
          },
        ),
        continuePattern: str(
          'For `custom`: a line matching this regex continues the current record. Default: any line not matching startPattern. Linear-time engine, as `spec.parse.regex`.',
          { maxLength: 4096 },
        ),
        flushTimeout: duration('Emit a pending record after this much quiet time.', { default: '1s' }),
      },
      {
        required: ['type'],
        'x-kubernetes-validations': [
          {
            rule: "self.type == 'custom' ? has(self.startPattern) : (!has(self.startPattern) && !has(self.continuePattern))",
            message: 'startPattern is required for type custom, and only allowed there',
          },
        ],
      },
    ),
    maxRecordSize: quantity(
      'Longer records are truncated: the message ends with `…[truncated N bytes]`, the record is counted (sluice_records_truncated_total) and the file is still followed.',
      { default: '1Mi' },
    ),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: "has(self.format) && self.format == 'regex' ? has(self.regex) : !has(self.regex)",
        message: 'regex is required for format regex, and only allowed there',
      },
    ],
  },
);

const condition: Schema = obj(
  'A test on one field of the record. Set exactly one operator.',
  {
    field: fieldPath('Dotted path of the field, e.g. `level` or `kubernetes.labels.app`.'),
    equals: str('The field equals this value.', { maxLength: 1024 }),
    in: arr('The field equals one of these values.', str('Value.', { maxLength: 1024 }), { maxItems: 64 }),
    notIn: arr('The field is missing or equals none of these values.', str('Value.', { maxLength: 1024 }), {
      maxItems: 64,
    }),
    matches: str(
      'The field matches this JavaScript regular expression. Linear-time engine, as `spec.parse.regex`.',
      { maxLength: 4096 },
    ),
    exists: bool('The field is present (true) or absent (false).'),
  },
  {
    required: ['field'],
    'x-kubernetes-validations': [
      exactlyOne(CONDITION_OPERATORS, 'set exactly one of equals, in, notIn, matches, exists'),
    ],
  },
);

const filter: Schema = obj(
  'One step of the filter chain. Set exactly one filter type.',
  {
    drop: obj('Drop records that match.', { when: condition }, { required: ['when'] }),
    keep: obj('Keep only records that match; drop the rest.', { when: condition }, { required: ['when'] }),
    redact: obj('Replace secrets in the record before it leaves the node.', {
      fields: arr(
        'Fields whose whole value is replaced (matched by name at any depth, case-insensitive).',
        str('Field name.', { maxLength: 256 }),
        {
          example: ['password', 'authorization'],
        },
      ),
      patterns: arr(
        'Built-in detectors applied to every string value.',
        enumOf('A detector.', REDACT_PATTERNS),
        {
          maxItems: 8,
          'x-kubernetes-list-type': 'set',
        },
      ),
      custom: arr(
        'Your own detectors.',
        obj(
          'A named regular expression.',
          {
            name: str('Name, shown in metrics.', { maxLength: 63, pattern: '^[a-zA-Z][a-zA-Z0-9_]*$' }),
            regex: str(
              'JavaScript regular expression; every match is replaced. Linear-time engine, as `spec.parse.regex`.',
              { maxLength: 4096 },
            ),
          },
          { required: ['name', 'regex'] },
        ),
        { maxItems: 16 },
      ),
      replacement: str('Replacement text.', { default: '[REDACTED]', maxLength: 64 }),
    }),
    add: obj(
      'Set fields to static values (existing values are overwritten).',
      {
        fields: strMap('Field path to value.', { example: { team: 'payments' } }),
      },
      { required: ['fields'] },
    ),
    remove: obj(
      'Remove fields.',
      {
        fields: arr('Field paths.', fieldPath('Field path.'), { minItems: 1 }),
      },
      { required: ['fields'] },
    ),
    rename: obj(
      'Rename fields.',
      {
        fields: arr(
          'Renames, applied in order.',
          obj(
            'One rename.',
            {
              from: fieldPath('Existing field path.'),
              to: fieldPath('New field path.'),
            },
            { required: ['from', 'to'] },
          ),
          { minItems: 1 },
        ),
      },
      { required: ['fields'] },
    ),
    throttle: obj(
      'Limit the record rate; records over the limit are dropped and counted.',
      {
        recordsPerSecond: int('Sustained rate.', { minimum: 1, maximum: 10_000_000 }),
        burst: int('Records allowed above the rate in a burst. Default: one second worth.', {
          minimum: 1,
          maximum: 100_000_000,
        }),
        per: enumOf('Each pod or each namespace gets its own budget.', THROTTLE_SCOPES, {
          default: 'pod',
        }),
      },
      { required: ['recordsPerSecond'] },
    ),
  },
  {
    'x-kubernetes-validations': [
      exactlyOne(FILTER_TYPES, 'set exactly one of drop, keep, redact, add, remove, rename, throttle'),
    ],
  },
);

function pipelineSpec(cluster: boolean): Schema {
  const outputKinds = ['LogOutput', 'ClusterLogOutput'];
  return obj(
    cluster
      ? 'A pipeline run by the platform team: any namespaces and host files.'
      : 'A pipeline of this namespace: collects its own containers, parses, filters and sends them to outputs.',
    {
      input: cluster ? clusterInput : namespacedInput,
      parse,
      filters: arr('Filters, applied in order.', filter, { maxItems: 32 }),
      outputs: arr(
        cluster
          ? 'Where records go. ClusterLogOutputs only.'
          : 'Where records go: LogOutputs of this namespace, or ClusterLogOutputs that admit this namespace.',
        outputRef('An output.', cluster ? ['ClusterLogOutput'] : outputKinds),
        {
          minItems: 1,
          maxItems: 8,
          'x-kubernetes-validations': [
            {
              rule: 'self.all(x, self.exists_one(y, y.name == x.name && (has(y.kind) ? y.kind : "") == (has(x.kind) ? x.kind : "")))',
              message: 'each output may be listed only once',
            },
          ],
        },
      ),
      paused: bool('Stop collecting without deleting the pipeline; file positions are kept.', {
        default: false,
      }),
    },
    { required: ['outputs'] },
  );
}

export const logPipelineSpec = pipelineSpec(false);
export const clusterLogPipelineSpec = pipelineSpec(true);
