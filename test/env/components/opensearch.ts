// OpenSearch from its integ-test distribution, single node on loopback. It refuses to run as root,
// so it runs as an unprivileged system user from a copy of its home under the run directory (the
// cache sits under root's 0700 home). An authenticating TLS proxy (../opensearch-proxy.ts) fronts it:
// basic auth on one port, a required client certificate (mutual TLS) on another.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, cpSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { install } from '../../../tools/install/index.ts';
import { VERSIONS } from '../../../tools/versions.ts';
import { freePorts } from '../ports.ts';
import { startProcess } from '../proc.ts';
import type { OpenSearchInfo } from '../types.ts';
import { http, waitUntil } from '../wait.ts';
import type { Ctx } from './context.ts';

export const OS_USER = 'sluice-testenv';
export const PROXY_USER = 'sluice';

export async function installOpenSearch(ctx: Ctx): Promise<string> {
  return (await install.opensearch(ctx.say)).opensearchHome;
}

/** uid/gid of the unprivileged user, created on first use; as a non-root user, that user itself. */
function serviceUser(): { uid: number; gid: number } {
  if (process.getuid?.() !== 0) return { uid: process.getuid!(), gid: process.getgid!() };
  const id = (flag: string) =>
    Number(
      execFileSync('id', [flag, OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      OS_USER,
    ]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function javaHome(): string {
  if (process.env.JAVA_HOME) return process.env.JAVA_HOME;
  const java = execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim();
  return dirname(dirname(realpathSync(java)));
}

/** Hard links where the file system allows it (instant), a copy where not. */
function copyTree(from: string, to: string): void {
  try {
    execFileSync('cp', ['-al', from, to], { stdio: 'ignore' });
  } catch {
    cpSync(from, to, { recursive: true });
  }
}

export async function startOpenSearch(ctx: Ctx, installed: string): Promise<OpenSearchInfo> {
  const dir = join(ctx.runDir, 'opensearch');
  const home = join(dir, 'home');
  mkdirSync(dir, { recursive: true });
  copyTree(installed, home);
  const conf = join(dir, 'config');
  cpSync(join(installed, 'config'), conf, { recursive: true });
  const user = serviceUser();
  // bin/opensearch changes to its home, and jvm.options writes gc logs and heap dumps relative to
  // it: home/logs and home/data (fresh directories even in a hard-linked copy) belong to the user.
  const data = join(home, 'data');
  const logs = join(home, 'logs');
  for (const d of [data, logs]) mkdirSync(d, { recursive: true });
  execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, conf, data, logs]);
  chownSync(dir, user.uid, user.gid);
  const [http_, transport, proxyPort, mtlsPort] = (await freePorts(4)) as [number, number, number, number];

  const proc = startProcess(
    'opensearch',
    join(home, 'bin', 'opensearch'),
    [
      '-Ediscovery.type=single-node',
      '-Enetwork.host=127.0.0.1',
      `-Ehttp.port=${http_}`,
      `-Etransport.port=${transport}`,
      `-Epath.data=${data}`,
      `-Epath.logs=${logs}`,
      '-Ecluster.name=sluice-testenv',
      '-Enode.name=sluice-testenv-0',
      '-Ecluster.routing.allocation.disk.threshold_enabled=false',
    ],
    {
      ...(process.getuid?.() === 0 ? { uid: user.uid, gid: user.gid } : {}),
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        OPENSEARCH_JAVA_HOME: javaHome(),
        OPENSEARCH_PATH_CONF: conf,
        OPENSEARCH_JAVA_OPTS: '-Xms512m -Xmx512m',
      },
      ports: [http_, transport],
    },
  );
  ctx.track(proc);
  const url = `http://127.0.0.1:${http_}`;

  const password = randomBytes(12).toString('hex');
  const passwordFile = join(ctx.runDir, 'opensearch-proxy.password');
  writeFileSync(passwordFile, password, { mode: 0o600 });
  const proxy = startProcess(
    'opensearch-proxy',
    process.execPath,
    [
      join(import.meta.dirname, '..', 'opensearch-proxy.ts'),
      String(proxyPort),
      url,
      ctx.pki.cert,
      ctx.pki.key,
      PROXY_USER,
      passwordFile,
      String(mtlsPort),
      ctx.pki.caCert,
    ],
    { ports: [proxyPort, mtlsPort] },
  );
  ctx.track(proxy);

  await waitUntil(
    'opensearch cluster health',
    async () => {
      const r = await http(`${url}/_cluster/health?wait_for_status=yellow&timeout=2s`);
      return r.status === 200 && ['green', 'yellow'].includes(JSON.parse(r.body).status);
    },
    { timeoutMs: 180_000, procs: [proc, proxy], intervalMs: 1000 },
  );
  const secureUrl = `https://127.0.0.1:${proxyPort}`;
  const ca = readFileSync(ctx.pki.caCert, 'utf8');
  const basic = `Basic ${Buffer.from(`${PROXY_USER}:${password}`).toString('base64')}`;
  await waitUntil(
    'opensearch proxy',
    async () => {
      const r = await http(`${secureUrl}/`, { ca, headers: { authorization: basic } });
      return r.status === 200;
    },
    { timeoutMs: 30_000, procs: [proc, proxy] },
  );
  const mtlsUrl = `https://127.0.0.1:${mtlsPort}`;
  const client = {
    cert: readFileSync(ctx.pki.clientCert, 'utf8'),
    key: readFileSync(ctx.pki.clientKey, 'utf8'),
  };
  await waitUntil(
    'opensearch proxy (client certificate)',
    async () => (await http(`${mtlsUrl}/`, { ca, ...client })).status === 200,
    { timeoutMs: 30_000, procs: [proc, proxy] },
  );

  return {
    url,
    secure: { url: secureUrl, username: PROXY_USER, password, caFile: ctx.pki.caCert },
    mtls: { url: mtlsUrl, caFile: ctx.pki.caCert, certFile: ctx.pki.clientCert, keyFile: ctx.pki.clientKey },
    version: VERSIONS.opensearch,
  };
}
