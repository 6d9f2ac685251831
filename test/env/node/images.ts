// The node's own images, built from Debian packages and cached in the install cache like every
// other install (no registry is reachable):
//   pause    the pod sandbox: a static C program that reaps children and exits 0 on SIGINT/SIGTERM
//   busybox  for tests of the node itself: Debian's busybox-static, one binary and its applet links
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureDebianPackages } from '../../../tools/install/debian.ts';
import type { Say } from '../../../tools/install/index.ts';
import { installOnce } from '../../../tools/install/once.ts';
import { writeOciArchive } from './oci.ts';

export interface ImageArchive {
  ref: string;
  /** OCI image archive, ready for `importImage` */
  archive: string;
}

const PAUSE_C = `/* The pod sandbox process (what Kubernetes' pause image does): holds the pod's namespaces. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) { (void)sig; _exit(0); }
static void reap(int sig) { (void)sig; while (waitpid(-1, 0, WNOHANG) > 0) {} }

int main(void) {
  struct sigaction s = {0};
  s.sa_handler = stop;
  sigaction(SIGINT, &s, 0);
  sigaction(SIGTERM, &s, 0);
  s.sa_handler = reap;
  s.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  sigaction(SIGCHLD, &s, 0);
  for (;;) pause();
}
`;

const PAUSE_VERSION = createHash('sha256').update(PAUSE_C).digest('hex').slice(0, 12);

export async function pauseImage(say: Say): Promise<ImageArchive> {
  await ensureDebianPackages(['gcc', 'libc6-dev'], say);
  const ref = `localhost/sluice-testenv/pause:${PAUSE_VERSION}`;
  const dir = await installOnce(
    'node-pause-image',
    PAUSE_VERSION,
    async (out) => {
      writeFileSync(join(out, 'pause.c'), PAUSE_C);
      const root = join(out, 'rootfs');
      mkdirSync(root);
      execFileSync('gcc', ['-static', '-Os', '-s', '-o', join(root, 'pause'), join(out, 'pause.c')]);
      writeOciArchive(join(out, 'pause.oci.tar'), {
        ref,
        rootfs: root,
        entrypoint: ['/pause'],
        user: '65535:65535',
      });
    },
    say,
  );
  return { ref, archive: join(dir, 'pause.oci.tar') };
}

function debVersion(pkg: string): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format syntax, not JS
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  // an image tag allows [A-Za-z0-9_.-] only (Debian versions have '+' and ':')
  return r.stdout.trim().replace(/[^A-Za-z0-9_.-]/g, '-');
}

/** A dynamically linked program with the libraries `ldd` lists, at the same paths under `root`. */
function copyWithLibraries(program: string, root: string): void {
  const libs = execFileSync('ldd', [program], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /(\/\S+) \(0x/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
  for (const f of [program, ...libs]) {
    mkdirSync(join(root, dirname(f)), { recursive: true });
    copyFileSync(f, join(root, f));
    chmodSync(join(root, f), 0o755);
  }
}

/**
 * Debian's static busybox as an image (sh, wget, nc, cat, sleep, ...), for tests of the node, with
 * Debian's `openssl` beside it: busybox's own TLS client offers too few signature algorithms for
 * the test servers (handshake_failure), while its wget uses `openssl s_client` when there is one,
 * and `openssl s_client -verify_return_error` checks a server certificate from inside a pod.
 */
export async function busyboxImage(say: Say): Promise<ImageArchive> {
  await ensureDebianPackages(['busybox-static', 'openssl'], say);
  const version = `${debVersion('busybox-static')}-openssl-${debVersion('openssl')}`;
  const ref = `localhost/sluice-testenv/busybox:${version}`;
  const dir = await installOnce(
    'node-busybox-image',
    version,
    async (out) => {
      const root = join(out, 'rootfs');
      for (const d of ['bin', 'tmp', 'etc']) mkdirSync(join(root, d), { recursive: true });
      chmodSync(join(root, 'tmp'), 0o1777);
      copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
      chmodSync(join(root, 'bin', 'busybox'), 0o755);
      const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
      for (const a of applets) if (a !== 'busybox') symlinkSync('busybox', join(root, 'bin', a));
      writeFileSync(
        join(root, 'etc', 'passwd'),
        'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n',
      );
      writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\n');
      copyWithLibraries('/usr/bin/openssl', root);
      mkdirSync(join(root, 'usr', 'lib', 'ssl'), { recursive: true });
      copyFileSync('/usr/lib/ssl/openssl.cnf', join(root, 'usr', 'lib', 'ssl', 'openssl.cnf'));
      writeOciArchive(join(out, 'busybox.oci.tar'), {
        ref,
        rootfs: root,
        cmd: ['/bin/sh'],
        env: ['PATH=/bin:/usr/bin'],
      });
    },
    say,
  );
  return { ref, archive: join(dir, 'busybox.oci.tar') };
}
