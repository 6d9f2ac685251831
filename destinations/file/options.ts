// Options of a file output in the agent config: the compiler turns the API's relative `path`
// into one under the agent's data directory and `maxSize` into bytes. The TypeScript type
// (FileOptions) is generated from this schema.
export const options = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: { type: 'string', minLength: 1, description: 'NDJSON file to append to.' },
    rotateBytes: { type: 'integer', minimum: 0, description: 'Rotate past this size; 0 = never.' },
    maxFiles: { type: 'integer', minimum: 1, description: 'Rotated files kept.' },
    fsync: { type: 'boolean', description: 'fsync each batch before acknowledging.' },
  },
} as const;
