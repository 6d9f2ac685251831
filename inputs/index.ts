// The input table: every kind of input a pipeline reads, in the order the API and the docs list
// them. Each input is one folder here:
//   <folder>/options.ts  its fields in the agent config's pipeline input (JSON Schema)  contract
//   <folder>/api.ts      its fields in a pipeline's `input` block, checks, compilation  operator
// and its reading in the agent (agent/src/sources/). Adding one is that folder plus one entry
// below; `npm run generate` writes the operator's registry, the types and the validators.
import { options as containerLogs } from './container-logs/options.ts';
import { options as hostFiles } from './host-files/options.ts';

export const INPUTS = { containerLogs, hostFiles } as const;

export type InputType = keyof typeof INPUTS;

/** The input types in table order. */
export const INPUT_TYPES = Object.keys(INPUTS) as InputType[];

/** The folder of an input type: containerLogs → container-logs. */
export const inputFolder = (type: string): string => type.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
