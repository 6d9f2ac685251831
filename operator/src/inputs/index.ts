// The operator's half of each input in the table (inputs/index.ts): its fields in the `input`
// block, checks and compilation (inputs/<folder>/api.ts, gathered in apis.generated.ts). The API
// (api/pipeline.ts), the validator (validate/semantic.ts) and the compiler
// (compile/agent-config.ts) iterate them in table order.
export { INPUT_TYPES, type InputType } from '../../../inputs/index.ts';
export { INPUT_APIS } from './apis.generated.ts';
