export { DEFAULTS, defaultRunConfig } from './defaults.ts';
export { loadConfigFile } from './load.ts';
export { agentConfigSchema, outputOptionSchemas } from './schema.ts';
export type * from './types.ts';
export { type ConfigProblem, configHash, registerOutputOptions, validateAgentConfig } from './validate.ts';
