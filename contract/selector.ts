// metav1.LabelSelector matching, the one implementation: the agent selects pods with it, the
// operator namespaces (a ClusterLogPipeline's namespace selector, an output's allowedNamespaces).
// Both must agree, or a pipeline would read what its status says it does not.

/** metav1.LabelSelector, as the agent config and the API resources both spell it. */
export interface SelectorLike {
  matchLabels?: Record<string, string>;
  matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}

/**
 * metav1.LabelSelector semantics: every matchLabels entry and every matchExpression must hold;
 * an unknown operator matches nothing.
 */
export function matchesSelector(sel: SelectorLike, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const val = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(val)) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(val)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
