// metav1.LabelSelector matching: one implementation, the agent's (the agent evaluates pod
// selectors with it; the operator namespace selectors and allowedNamespaces).
export { matchesSelector } from '../../../agent/src/engine/select.ts';
