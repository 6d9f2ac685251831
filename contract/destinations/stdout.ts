// Options of a stdout output in the agent config: none.
export const stdoutOptionsSchema = { type: 'object', additionalProperties: false, properties: {} } as const;
