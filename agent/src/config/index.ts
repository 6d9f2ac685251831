export { DEFAULTS, defaultRunConfig } from './defaults.ts';
export { loadConfigFile } from './load.ts';
export { type ConfigProblem, validateAgentConfig } from './validate.ts';
