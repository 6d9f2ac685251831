// Free loopback ports, asked of the kernel. A port handed out here is not handed out again by
// this process, so components starting in parallel never collide with each other.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const given = new Set<number>();

function probe(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probe();
    if (!given.has(port)) {
      given.add(port);
      return port;
    }
  }
}

export async function freePorts(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await freePort());
  return out;
}

/** Ports in LISTEN state on this machine (IPv4 and IPv6), from /proc/net. */
export function listeningPorts(): Set<number> {
  const out = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A') out.add(Number.parseInt(cols[1]!.split(':')[1]!, 16)); // 0A = LISTEN
    }
  }
  return out;
}
