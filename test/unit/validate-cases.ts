// Invalid resources, one per row, with the field path and the words each must be rejected with.
// Each row starts from a valid base resource and changes one thing.

const pipeline = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}) => ({
  apiVersion: 'sluice.dev/v1alpha1',
  kind: 'LogPipeline',
  metadata: { name: 'p', namespace: 'shop', ...meta },
  spec: { outputs: [{ name: 'out' }], ...spec },
});
const clusterPipeline = (spec: Record<string, unknown>) => ({
  apiVersion: 'sluice.dev/v1alpha1',
  kind: 'ClusterLogPipeline',
  metadata: { name: 'cp' },
  spec: { input: { namespaces: {} }, outputs: [{ name: 'archive', kind: 'ClusterLogOutput' }], ...spec },
});
const output = (spec: Record<string, unknown>, kind = 'LogOutput') => ({
  apiVersion: 'sluice.dev/v1alpha1',
  kind,
  metadata: kind === 'LogOutput' ? { name: 'o', namespace: 'shop' } : { name: 'o' },
  spec,
});
const kafka = { brokers: ['k:9092'], topic: 't' };
const filter = (f: Record<string, unknown>) => pipeline({ filters: [f] });

export interface Case {
  name: string;
  doc: unknown;
  path: string;
  message: string;
}

export const INVALID: Case[] = [
  // unknown fields
  {
    name: 'unknown top-level spec field',
    doc: pipeline({ outputz: [] }),
    path: 'spec.outputz',
    message: 'unknown field "outputz"',
  },
  {
    name: 'misspelled field gets a suggestion',
    doc: pipeline({ parse: { fromat: 'json' } }),
    path: 'spec.parse.fromat',
    message: 'did you mean "format"?',
  },
  {
    name: 'unknown field in a kafka output',
    doc: output({ kafka: { ...kafka, compresion: 'zstd' } }),
    path: 'spec.kafka.compresion',
    message: 'did you mean "compression"?',
  },
  {
    name: 'unknown field in a filter',
    doc: filter({ drop: { when: { field: 'a', equals: 'b' }, unless: {} } }),
    path: 'spec.filters[0].drop.unless',
    message: 'unknown field',
  },
  // destinations and filters: exactly one
  {
    name: 'two destination types',
    doc: output({ kafka, stdout: {} }),
    path: 'spec',
    message: 'kafka and stdout are both set',
  },
  {
    name: 'no destination type',
    doc: output({ buffer: { type: 'memory' } }),
    path: 'spec',
    message: 'no destination is set',
  },
  {
    name: 'two filter types in one step',
    doc: filter({ remove: { fields: ['a'] }, add: { fields: { b: 'c' } } }),
    path: 'spec.filters[0]',
    message: 'add and remove are both set',
  },
  { name: 'empty filter step', doc: filter({}), path: 'spec.filters[0]', message: 'no filter type is set' },
  {
    name: 'condition with two operators',
    doc: filter({ drop: { when: { field: 'level', equals: 'x', in: ['y'] } } }),
    path: 'spec.filters[0].drop.when',
    message: 'equals and in are both set',
  },
  {
    name: 'condition without operator',
    doc: filter({ keep: { when: { field: 'level' } } }),
    path: 'spec.filters[0].keep.when',
    message: 'no operator is set',
  },
  // selectors
  {
    name: 'bad label key',
    doc: pipeline({ input: { pods: { matchLabels: { 'bad key!': 'x' } } } }),
    path: 'spec.input.pods.matchLabels["bad key!"]',
    message: 'invalid label key',
  },
  {
    name: 'bad label value',
    doc: pipeline({ input: { pods: { matchLabels: { app: 'has spaces' } } } }),
    path: 'spec.input.pods.matchLabels.app',
    message: 'invalid label value',
  },
  {
    name: 'In without values',
    doc: pipeline({ input: { pods: { matchExpressions: [{ key: 'a', operator: 'In' }] } } }),
    path: 'spec.input.pods.matchExpressions[0].values',
    message: 'needs at least one value',
  },
  {
    name: 'Exists with values',
    doc: pipeline({
      input: { pods: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } },
    }),
    path: 'spec.input.pods.matchExpressions[0].values',
    message: 'takes no values',
  },
  {
    name: 'unknown selector operator',
    doc: pipeline({ input: { pods: { matchExpressions: [{ key: 'a', operator: 'Like', values: ['x'] }] } } }),
    path: 'spec.input.pods.matchExpressions[0].operator',
    message: 'must be one of In, NotIn, Exists, DoesNotExist',
  },
  {
    name: 'bad namespace selector key',
    doc: clusterPipeline({ input: { namespaces: { selector: { matchLabels: { '-x': 'y' } } } } }),
    path: 'spec.input.namespaces.selector.matchLabels["-x"]',
    message: 'invalid label key',
  },
  // regexes
  {
    name: 'parse regex that does not compile',
    doc: pipeline({ parse: { format: 'regex', regex: '(?<a>x' } }),
    path: 'spec.parse.regex',
    message: 'does not compile',
  },
  {
    name: 'parse regex without named groups',
    doc: pipeline({ parse: { format: 'regex', regex: '^(\\w+) (.*)$' } }),
    path: 'spec.parse.regex',
    message: 'no named groups',
  },
  {
    name: 'regex format without regex',
    doc: pipeline({ parse: { format: 'regex' } }),
    path: 'spec.parse.regex',
    message: 'required for format regex',
  },
  {
    name: 'regex given for json format',
    doc: pipeline({ parse: { format: 'json', regex: '(?<a>.)' } }),
    path: 'spec.parse.regex',
    message: 'only used with format regex',
  },
  {
    name: 'multiline custom start pattern does not compile',
    doc: pipeline({ parse: { multiline: { type: 'custom', startPattern: '[' } } }),
    path: 'spec.parse.multiline.startPattern',
    message: 'does not compile',
  },
  {
    name: 'multiline custom without start pattern',
    doc: pipeline({ parse: { multiline: { type: 'custom' } } }),
    path: 'spec.parse.multiline.startPattern',
    message: 'required for type custom',
  },
  {
    name: 'multiline start pattern matching everything',
    doc: pipeline({ parse: { multiline: { type: 'custom', startPattern: '.*' } } }),
    path: 'spec.parse.multiline.startPattern',
    message: 'matches the empty string',
  },
  {
    name: 'drop condition regex does not compile',
    doc: filter({ drop: { when: { field: 'msg', matches: '*x' } } }),
    path: 'spec.filters[0].drop.when.matches',
    message: 'does not compile',
  },
  {
    name: 'custom redact regex does not compile',
    doc: filter({ redact: { custom: [{ name: 'x', regex: '(' }] } }),
    path: 'spec.filters[0].redact.custom[0].regex',
    message: 'does not compile',
  },
  // patterns the linear-time engine cannot run (contract/patterns.ts)
  {
    name: 'parse regex with a backreference',
    doc: pipeline({ parse: { format: 'regex', regex: '^(?<q>["\']).*\\k<q>$' } }),
    path: 'spec.parse.regex',
    message:
      'uses a named backreference (\\k<name>): matching what a group matched earlier cannot be done in linear time',
  },
  {
    name: 'multiline continue pattern with a lookahead',
    doc: pipeline({
      parse: { multiline: { type: 'custom', startPattern: '^\\S', continuePattern: '^(?!\\S)' } },
    }),
    path: 'spec.parse.multiline.continuePattern',
    message: 'uses a lookahead (?!...): it cannot be run in linear time',
  },
  {
    name: 'condition regex with a repetition count above 16',
    doc: filter({ drop: { when: { field: 'trace', matches: '^[0-9a-f]{32}$' } } }),
    path: 'spec.filters[0].drop.when.matches',
    message: 'repeats 32 times in a counted repetition',
  },
  {
    name: 'custom redact regex with an inline modifier',
    doc: filter({ redact: { custom: [{ name: 'x', regex: '(?i:password=)\\S+' }] } }),
    path: 'spec.filters[0].redact.custom[0].regex',
    message: 'uses an inline modifier such as (?i:...)',
  },
  {
    name: 'unknown redact pattern',
    doc: filter({ redact: { patterns: ['ssn'] } }),
    path: 'spec.filters[0].redact.patterns[0]',
    message: 'must be one of creditCard',
  },
  // sizes and durations
  {
    name: 'negative buffer size',
    doc: output({ kafka, buffer: { maxSize: '-1Gi' } }),
    path: 'spec.buffer.maxSize',
    message: 'cannot be negative',
  },
  {
    name: 'byte size with unknown unit',
    doc: output({ kafka, buffer: { maxSize: '2GB' } }),
    path: 'spec.buffer.maxSize',
    message: 'is not valid',
  },
  {
    name: 'zero max record size',
    doc: pipeline({ parse: { maxRecordSize: '0' } }),
    path: 'spec.parse.maxRecordSize',
    message: 'too small',
  },
  {
    name: 'buffer too small',
    doc: output({ kafka, buffer: { maxSize: '1Ki' } }),
    path: 'spec.buffer.maxSize',
    message: 'too small',
  },
  {
    name: 'malformed duration',
    doc: output({ kafka, retry: { maxBackoff: '5 minutes' } }),
    path: 'spec.retry.maxBackoff',
    message: 'is not valid',
  },
  {
    name: 'initial backoff longer than max',
    doc: output({ kafka, retry: { initialBackoff: '10m', maxBackoff: '1m' } }),
    path: 'spec.retry.initialBackoff',
    message: 'longer than maxBackoff',
  },
  {
    name: 'negative throttle rate',
    doc: filter({ throttle: { recordsPerSecond: -5 } }),
    path: 'spec.filters[0].throttle.recordsPerSecond',
    message: 'out of range',
  },
  {
    name: 'string where a number belongs',
    doc: filter({ throttle: { recordsPerSecond: 'lots' } }),
    path: 'spec.filters[0].throttle.recordsPerSecond',
    message: 'must be a whole number',
  },
  // templates
  {
    name: 'index template with an unknown field',
    doc: output({ opensearch: { endpoints: ['http://o:9200'], index: 'logs-{{ kubernetes.nmespace }}' } }),
    path: 'spec.opensearch.index',
    message: 'unknown field "kubernetes.nmespace"',
  },
  {
    name: 'unclosed placeholder',
    doc: output({ s3: { bucket: 'bucket', keyPrefix: '{{ kubernetes.namespace/' } }),
    path: 'spec.s3.keyPrefix',
    message: 'never closed',
  },
  {
    name: 'unknown date directive',
    doc: output({ opensearch: { endpoints: ['http://o:9200'], index: 'logs-%Q' } }),
    path: 'spec.opensearch.index',
    message: 'unknown date directive',
  },
  // tenancy and references
  {
    name: 'namespaced pipeline names host files',
    doc: pipeline({ input: { hostFiles: { paths: ['/var/log/syslog'] } } }),
    path: 'spec.input.hostFiles',
    message: 'need a ClusterLogPipeline',
  },
  {
    name: 'namespaced pipeline names other namespaces',
    doc: pipeline({ input: { namespaces: { include: ['other'] } } }),
    path: 'spec.input.namespaces',
    message: 'own namespace',
  },
  {
    name: 'cross-namespace output reference',
    doc: pipeline({ outputs: [{ name: 'out', namespace: 'other' }] }),
    path: 'spec.outputs[0].namespace',
    message: 'LogOutputs of its own namespace',
  },
  {
    name: 'LogOutput secret in another namespace',
    doc: output({
      kafka: {
        ...kafka,
        sasl: {
          mechanism: 'plain',
          username: { name: 's', key: 'u', namespace: 'other' },
          password: { name: 's', key: 'p' },
        },
      },
    }),
    path: 'spec.kafka.sasl.username.namespace',
    message: 'Secrets of its own namespace',
  },
  {
    name: 'ClusterLogOutput secret without namespace',
    doc: output(
      {
        kafka: {
          ...kafka,
          sasl: {
            mechanism: 'plain',
            username: { name: 's', key: 'u' },
            password: { name: 's', key: 'p', namespace: 'x' },
          },
        },
      },
      'ClusterLogOutput',
    ),
    path: 'spec.kafka.sasl.username.namespace',
    message: 'required field is missing',
  },
  {
    name: 'cluster pipeline referencing a LogOutput',
    doc: clusterPipeline({ outputs: [{ name: 'o', kind: 'LogOutput' }] }),
    path: 'spec.outputs[0].kind',
    message: 'must be one of ClusterLogOutput',
  },
  {
    name: 'output reference with a bad kind',
    doc: pipeline({ outputs: [{ name: 'o', kind: 'Output' }] }),
    path: 'spec.outputs[0].kind',
    message: 'must be one of LogOutput, ClusterLogOutput',
  },
  {
    name: 'output listed twice',
    doc: pipeline({ outputs: [{ name: 'o' }, { name: 'o', kind: 'LogOutput' }] }),
    path: 'spec.outputs[1]',
    message: 'listed twice',
  },
  {
    name: 'no outputs',
    doc: pipeline({ outputs: [] }),
    path: 'spec.outputs',
    message: 'needs at least 1 item',
  },
  {
    name: 'output is its own dead letter',
    doc: output({ kafka, deadLetter: { name: 'o' } }),
    path: 'spec.deadLetter',
    message: 'its own dead letter',
  },
  {
    name: 'host file outside /var/log',
    doc: clusterPipeline({ input: { hostFiles: { paths: ['/etc/shadow'] } } }),
    path: 'spec.input.hostFiles.paths[0]',
    message: 'is not valid',
  },
  {
    name: 'host file climbing out of /var/log',
    doc: clusterPipeline({ input: { hostFiles: { paths: ['/var/log/../../etc/shadow'] } } }),
    path: 'spec.input.hostFiles.paths[0]',
    message: 'climbs out of /var/log',
  },
  {
    name: 'file output path escaping its directory',
    doc: output({ file: { path: '../../etc/passwd' } }),
    path: 'spec.file.path',
    message: 'must stay inside the output directory',
  },
  // envelope
  {
    name: 'wrong version',
    doc: { ...pipeline({}), apiVersion: 'sluice.dev/v1' },
    path: 'apiVersion',
    message: '"sluice.dev/v1" is not served',
  },
  {
    name: 'wrong group for our kind',
    doc: { ...pipeline({}), apiVersion: 'logging.example.com/v1alpha1' },
    path: 'apiVersion',
    message: 'belongs to sluice.dev/v1alpha1',
  },
  {
    name: 'unknown kind in our group',
    doc: { ...pipeline({}), kind: 'LogPipelines' },
    path: 'kind',
    message: 'did you mean "LogPipeline"?',
  },
  {
    name: 'missing kind',
    doc: { apiVersion: 'sluice.dev/v1alpha1', metadata: { name: 'x' }, spec: {} },
    path: 'kind',
    message: 'required field is missing',
  },
  {
    name: 'missing name',
    doc: pipeline({}, { name: undefined }),
    path: 'metadata.name',
    message: 'required field is missing',
  },
  {
    name: 'invalid name',
    doc: pipeline({}, { name: 'Checkout_Service' }),
    path: 'metadata.name',
    message: 'is not valid',
  },
  {
    name: 'namespace on a cluster-scoped kind',
    doc: { ...clusterPipeline({}), metadata: { name: 'cp', namespace: 'x' } },
    path: 'metadata.namespace',
    message: 'cluster-scoped',
  },
  {
    name: 'missing spec',
    doc: { apiVersion: 'sluice.dev/v1alpha1', kind: 'LogOutput', metadata: { name: 'x' } },
    path: 'spec',
    message: 'required field is missing',
  },
  { name: 'document that is a list', doc: [1, 2], path: '(document)', message: 'must be a mapping' },
  {
    name: 'cluster pipeline collecting nothing',
    doc: clusterPipeline({ input: {} }),
    path: 'spec.input',
    message: 'collects nothing',
  },
  // huge values
  {
    name: '1 MiB string',
    doc: output({ kafka: { ...kafka, topic: 'a'.repeat(1024 * 1024) } }),
    path: 'spec.kafka.topic',
    message: 'at most 249 are allowed',
  },
  {
    name: '1 MiB regex',
    doc: pipeline({ parse: { format: 'regex', regex: `(?<a>${'x'.repeat(1024 * 1024)})` } }),
    path: 'spec.parse.regex',
    message: 'at most 4096 are allowed',
  },
  {
    name: '1 MiB label value',
    doc: pipeline({ input: { pods: { matchLabels: { app: 'v'.repeat(1024 * 1024) } } } }),
    path: 'spec.input.pods.matchLabels.app',
    message: 'at most 1024 are allowed',
  },
];
