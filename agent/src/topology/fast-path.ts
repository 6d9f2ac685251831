// Whether a pipeline's container records may take the byte path (record/serialize.ts
// writeEventBytes: an entry straight from the read buffer into an arena, no strings, so no
// parser, filter or multiline rule sees it), derived from the pipeline's declared options: every
// option of its config, its input and its parse config has a rule here. The tables are typed by
// the generated config types, so an option added to the schema does not compile until it is
// classified; fast-path.test.ts fails when the schema has an option these tables lack.
import type { ParseConfig, PipelineConfig, PipelineInput } from '../../../contract/agent-config/types.ts';

/** Whether an option, when set to `value`, still allows the byte path. */
type Rule<T> = (value: NonNullable<T>) => boolean;
/** A rule for every option of C, and nothing else. */
type Rules<C> = { [K in keyof Required<C>]: Rule<C[K]> };

const always = (): boolean => true;
const never = (): boolean => false;

export const PARSE_RULES = {
  // auto, json: a JSON object body is spliced as its text (or left to the string path when its
  // keys collide); none: the body is the message. logfmt and regex need the text.
  format: (f) => f === 'auto' || f === 'json' || f === 'none',
  // Only read by format regex, which takes the string path.
  pattern: always,
  // Lines are joined as text.
  multiline: never,
  // A record cut to the limit takes the string path by itself (the reader checks each entry).
  maxRecordBytes: always,
  // The original text next to the parsed fields needs them parsed.
  keepOriginal: (k) => !k,
} satisfies Rules<ParseConfig>;

// Which files a pipeline reads, not what their records become.
export const INPUT_RULES = {
  namespaces: always,
  pods: always,
  containers: always,
  // Entries of other streams are skipped before the byte path.
  streams: always,
  // Host-file lines always take the string path (HostFileReader); container files keep theirs.
  hostFiles: always,
  includeAgentPods: always,
  excludeAnnotation: always,
  containerLogs: always,
} satisfies Rules<PipelineInput>;

export const PIPELINE_RULES = {
  id: always,
  kind: always,
  name: always,
  namespace: always,
  input: (i) => allows(INPUT_RULES, i),
  parse: (p) => allows(PARSE_RULES, p),
  // A filter reads or changes fields, so it needs the record as strings.
  filters: (f) => f.length === 0,
  // Checked per record on both paths (Pipeline.acceptBytes / accept), before any byte is spent.
  namespaceRecordsPerSecond: always,
  outputs: always,
} satisfies Rules<PipelineConfig>;

/** Every option set in `config` allows the byte path. */
function allows<C extends object>(rules: Rules<C>, config: C): boolean {
  for (const key of Object.keys(rules) as (keyof C)[]) {
    const value = config[key];
    if (value !== undefined && value !== null && !(rules[key] as Rule<unknown>)(value)) return false;
  }
  return true;
}

/** A pipeline's container records may go from the read buffer straight to bytes. */
export function fastPath(config: PipelineConfig): boolean {
  return allows(PIPELINE_RULES, config);
}
