// What a log file's path tells about its container, for /var/log/pods and /var/log/containers.
//   /var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log[.<rotation suffix>]
//   /var/log/containers/<pod>_<namespace>_<container>-<64 hex container id>.log  (symlinks)
// Namespace and pod names cannot contain '_' (DNS labels / subdomains), so splitting is exact.
import { isCompressing } from '../files/discovery.ts';

export interface PathMeta {
  namespace: string;
  pod: string;
  uid: string;
  container: string;
  /** Restart count from the file name, or -1. */
  restart: number;
  /** False for rotated copies (`0.log.20240101-120000`). */
  active: boolean;
}

export function parsePodLogPath(path: string): PathMeta | undefined {
  const parts = path.split('/');
  if (parts.length < 3) return undefined;
  const file = parts[parts.length - 1];
  const container = parts[parts.length - 2];
  const podDir = parts[parts.length - 3];
  const m = /^(\d+)\.log(\..+)?$/.exec(file);
  if (m === null || isCompressing(file)) return undefined;
  const a = podDir.indexOf('_');
  const b = podDir.indexOf('_', a + 1);
  if (a <= 0 || b <= a + 1 || b === podDir.length - 1 || container === '') return undefined;
  return {
    namespace: podDir.slice(0, a),
    pod: podDir.slice(a + 1, b),
    uid: podDir.slice(b + 1),
    container,
    restart: Number(m[1]),
    active: m[2] === undefined,
  };
}

/** /var/log/containers link names: `<pod>_<namespace>_<container>-<id>.log`. */
export function parseContainerLinkName(
  name: string,
): { pod: string; namespace: string; container: string } | undefined {
  const m = /^([^_]+)_([^_]+)_(.+)-([0-9a-f]{64})\.log$/.exec(name);
  return m === null ? undefined : { pod: m[1], namespace: m[2], container: m[3] };
}
