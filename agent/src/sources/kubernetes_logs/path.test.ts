import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect, test } from '@jest/globals';
import { parsePodLogPath } from './path.ts';
import { scanLogs } from './scan.ts';

const dir = '/var/log/pods/shop_app-1_uid-1/app';

test.each([
  ['0.log', { restart: 0, active: true }],
  ['3.log', { restart: 3, active: true }],
  ['0.log.20261203-094300', { restart: 0, active: false }],
  // the kubelet's compression of a rotated log: the archive, and the file it is written to first
  ['0.log.20261203-094300.gz', undefined],
  ['0.log.20261203-094300.tmp', undefined],
  ['app.txt', undefined],
])('%s', (file, meta) => {
  const m = parsePodLogPath(`${dir}/${file}`);
  if (meta === undefined) expect(m).toBeUndefined();
  else expect(m).toEqual({ namespace: 'shop', pod: 'app-1', uid: 'uid-1', container: 'app', ...meta });
});

// Regression: a flood made the kubelet rotate and compress a container's log every few seconds;
// the agent read `0.log.<time>.tmp` (gzip being written) as a rotated log and shipped its bytes
// as records (test/installed/tenant-attacks.test.ts).
test('a scan skips the files the kubelet compresses rotated logs into', () => {
  const root = mkdtempSync(join(tmpdir(), 'sluice-scan-'));
  try {
    const c = join(root, 'shop_app-1_uid-1', 'app');
    mkdirSync(c, { recursive: true });
    for (const f of [
      '0.log',
      '0.log.20261203-094300',
      '0.log.20261203-094200.tmp',
      '0.log.20261203-094100.gz',
    ])
      writeFileSync(join(c, f), 'x\n');
    expect(scanLogs(root).map((f) => [basename(f.path), f.active])).toEqual(
      expect.arrayContaining([
        ['0.log', true],
        ['0.log.20261203-094300', false],
      ]),
    );
    expect(scanLogs(root)).toHaveLength(2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
