// The small schema builders of the agent config's schemas (schema.ts, selectors.ts and the
// inputs' options.ts): every field carries a description.
export const str = (description: string) => ({ type: 'string', minLength: 1, description }) as const;
export const strList = (description: string) =>
  ({ type: 'array', items: { type: 'string', minLength: 1 }, description }) as const;
export const posInt = (description: string) => ({ type: 'integer', minimum: 1, description }) as const;
export const nonNegInt = (description: string) => ({ type: 'integer', minimum: 0, description }) as const;
