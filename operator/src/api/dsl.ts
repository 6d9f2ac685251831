// A tiny builder for the one schema source of the sluice.dev API. Every builder returns a plain
// JSON Schema object in the structural subset Kubernetes accepts (every node typed, no $ref, no
// oneOf across types), with a description on every field. Generators derive the CRDs, the
// TypeScript types, the ajv validators and the field reference from these objects.

export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

export interface Schema {
  type: 'object' | 'array' | 'string' | 'integer' | 'boolean' | 'number';
  description: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema;
  items?: Schema;
  enum?: string[];
  default?: unknown;
  example?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  nullable?: boolean;
  'x-kubernetes-validations'?: CelRule[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

type Opts = Partial<Omit<Schema, 'type' | 'description'>>;

/** Longest string anywhere in the API unless a field says otherwise (keeps CEL costs bounded). */
export const MAX_STRING = 4096;

export function str(description: string, opts: Opts = {}): Schema {
  return { type: 'string', description, maxLength: MAX_STRING, ...opts };
}

export function enumOf<const T extends string>(
  description: string,
  values: readonly T[],
  opts: Opts = {},
): Schema {
  return { type: 'string', description, enum: [...values], ...opts };
}

export function int(description: string, opts: Opts = {}): Schema {
  return { type: 'integer', description, format: 'int64', ...opts };
}

export function bool(description: string, opts: Opts = {}): Schema {
  return { type: 'boolean', description, ...opts };
}

export function arr(description: string, items: Schema, opts: Opts = {}): Schema {
  return { type: 'array', description, items, maxItems: 64, ...opts };
}

/** A string-to-string map (labels, headers, static fields). */
export function strMap(description: string, opts: Opts = {}): Schema {
  return {
    type: 'object',
    description,
    additionalProperties: { type: 'string', description: 'Value.', maxLength: 1024 },
    maxProperties: 64,
    ...opts,
  };
}

export function obj(description: string, properties: Record<string, Schema>, opts: Opts = {}): Schema {
  return { type: 'object', description, properties, ...opts };
}

// CEL reserved words the apiserver makes addressable as `__word__` (Kubernetes CEL property escaping).
const CEL_RESERVED = new Set(
  'as break const continue else false for function if import in let loop namespace null package return true var void while'.split(
    ' ',
  ),
);

/** A property name as a CEL field selector, escaped the way the Kubernetes apiserver expects. */
export function celField(name: string): string {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  return name
    .replaceAll('__', '__underscores__')
    .replaceAll('.', '__dot__')
    .replaceAll('-', '__dash__')
    .replaceAll('/', '__slash__');
}

/** CEL: exactly one of the named optional fields is set. */
export function exactlyOne(fields: readonly string[], message: string): CelRule {
  return {
    rule: `[${fields.map((f) => `has(self.${celField(f)})`).join(', ')}].filter(x, x).size() == 1`,
    message,
  };
}

/** Byte size as a Kubernetes-style quantity string ("64Mi", "2Gi", "500M", "1048576"). */
export const QUANTITY_PATTERN = '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$';
/** Go/CEL style duration ("500ms", "5s", "1m30s", "2h"). */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

export function quantity(description: string, opts: Opts = {}): Schema {
  return str(description, { pattern: QUANTITY_PATTERN, maxLength: 32, ...opts });
}

export function duration(description: string, opts: Opts = {}): Schema {
  return str(description, { pattern: DURATION_PATTERN, maxLength: 32, ...opts });
}
