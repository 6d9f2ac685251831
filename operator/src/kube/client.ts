// The REST client lives in contract/kube/ since the agent uses it too (instead of
// @kubernetes/client-node, for its memory: docs/benchmarks.md).
export * from '../../../contract/kube/client.ts';
