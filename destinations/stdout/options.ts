// Options of a stdout output in the agent config: none.
export const options = { type: 'object', additionalProperties: false, properties: {} } as const;
