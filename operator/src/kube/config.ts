// The apiserver connection lives in contract/kube/ since the agent uses the same small client.
export * from '../../../contract/kube/config.ts';
