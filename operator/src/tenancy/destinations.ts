// The platform's allow-list of destinations (tenancy cap allowedDestinations): the hosts a
// namespace's LogOutputs may send to. Without it a tenant could point an output at any address
// the agent reaches (an internal service, the cloud metadata endpoint) and read what answers, or
// whether anything does, from the output's status: a port scanner from every node.
import { REASON, type Rejection } from '../api/conditions.ts';
import { type Output, resourceId } from '../compile/ids.ts';
import { readBlock } from '../destinations/index.ts';

/** `host`, `host:port`, `*.domain`, `*.domain:port`; hosts compare case-insensitively. */
export function hostAllowed(host: string, port: number, allowed: readonly string[]): boolean {
  const h = host.toLowerCase();
  return allowed.some((entry) => {
    const c = entry.lastIndexOf(':');
    const hasPort = c > 0 && /^[0-9]+$/.test(entry.slice(c + 1));
    const name = (hasPort ? entry.slice(0, c) : entry).toLowerCase();
    if (hasPort && Number(entry.slice(c + 1)) !== port) return false;
    return name.startsWith('*.') ? h.endsWith(name.slice(1)) && h.length > name.length - 1 : h === name;
  });
}

/** Why a LogOutput of `ns` may not run under the allow-list, or undefined when it may. */
export function destinationRejection(
  o: Output,
  ns: string,
  allowed: readonly string[],
): Rejection | undefined {
  for (const d of readBlock(o.spec, 'hosts') ?? []) {
    if (hostAllowed(d.host, d.port, allowed)) continue;
    return {
      reason: REASON.DestinationNotAllowed,
      message: `${resourceId(o)} sends to ${d.host}:${d.port} (${d.path}), which is not among the destinations namespace "${ns}" may use (tenancy allowedDestinations: ${allowed.join(', ')}); use one of them, or ask the platform team to allow it`,
    };
  }
  return undefined;
}
