// Apply what changed and prune what is no longer rendered. An object is left alone when the live
// copy carries the same applied-hash annotation and still contains every field we render (so
// manual drift is repaired, and an unchanged world costs no writes at all).
import { type KubeClient, KubeError, type KubeObject } from '../kube/client.ts';
import { collectionPath, keyOf, objectPath, rtOf } from '../kube/resources.ts';
import { APPLIED_ANNOTATION } from './desired.ts';

/** Every field of `want` is present with the same value in `have` (arrays: same length, pairwise). */
export function contains(have: unknown, want: unknown): boolean {
  if (want === null || typeof want !== 'object') return have === want;
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return false;
    return want.every((w, i) => contains(have[i], w));
  }
  if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
  return Object.entries(want).every(
    ([k, v]) => v === undefined || contains((have as Record<string, unknown>)[k], v),
  );
}

export function upToDate(live: KubeObject | undefined, want: Record<string, unknown>): boolean {
  if (!live) return false;
  const wantMeta = want.metadata as KubeObject['metadata'];
  if (live.metadata.annotations?.[APPLIED_ANNOTATION] !== wantMeta.annotations?.[APPLIED_ANNOTATION])
    return false;
  return contains(live, want);
}

/** ConfigMaps applied at once (see applyAndPrune). */
const APPLY_CONCURRENCY = 16;

export const ownedKey = (kind: string, o: { metadata: { name: string; namespace?: string } }) =>
  `${kind}:${keyOf(o)}`;

export interface ApplyResult {
  applied: string[];
  pruned: string[];
  /** No longer rendered, but RBAC forbids deleting them (roles of a former agent name). */
  forbidden: string[];
}

/**
 * `live` holds the owned objects the informers see (by ownedKey). Applies in render order, then
 * prunes what is live but not wanted.
 */
export async function applyAndPrune(
  client: KubeClient,
  fieldManager: string,
  want: Record<string, unknown>[],
  live: Map<string, KubeObject>,
  /** the apiserver's answer, to update caches before the watch event arrives */
  onApplied: (kind: string, obj: KubeObject, deleted: boolean) => void = () => {},
): Promise<ApplyResult> {
  const res: ApplyResult = { applied: [], pruned: [], forbidden: [] };
  const wanted = new Set<string>();
  const applyOne = async (o: Record<string, unknown>): Promise<void> => {
    const kind = o.kind as string;
    const meta = o.metadata as { name: string; namespace?: string };
    const key = ownedKey(kind, { metadata: meta });
    wanted.add(key);
    if (upToDate(live.get(key), o)) return;
    const got = await client.apply(objectPath(rtOf(kind), meta.name, meta.namespace), o, fieldManager);
    onApplied(kind, got as KubeObject, false);
    res.applied.push(key);
  };
  // In render order (RBAC before the DaemonSet that uses it), except that a run of ConfigMaps —
  // the config shards, one per namespace, thousands when many namespaces change at once — is
  // applied APPLY_CONCURRENCY at a time: they depend on nothing but each other's absence.
  for (let i = 0; i < want.length; ) {
    let j = i + 1;
    if (want[i]!.kind === 'ConfigMap') while (j < want.length && want[j]!.kind === 'ConfigMap') j++;
    const run = want.slice(i, j);
    for (let k = 0; k < run.length; k += APPLY_CONCURRENCY)
      await Promise.all(run.slice(k, k + APPLY_CONCURRENCY).map(applyOne));
    i = j;
  }
  for (const [key, o] of live) {
    if (wanted.has(key) || o.metadata.deletionTimestamp) continue;
    const kind = key.slice(0, key.indexOf(':'));
    try {
      await client.delete(objectPath(rtOf(kind), o.metadata.name, o.metadata.namespace), {
        propagationPolicy: 'Background',
      });
    } catch (e) {
      // RBAC limits Role and ClusterRole deletes to the current agent name: after a rename the
      // old name's roles cannot be deleted (they grant nothing to a running agent). Everything
      // else of the old name, the DaemonSet first, is still pruned.
      if (e instanceof KubeError && e.status === 403) {
        res.forbidden.push(key);
        continue;
      }
      throw e;
    }
    onApplied(kind, o, true);
    res.pruned.push(key);
  }
  return res;
}

export { collectionPath };
