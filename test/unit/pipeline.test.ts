// The engine end to end on real files (in-process, --once): reassembly across read-buffer
// boundaries, multiline presets, parsing, filters, truncation and invalid UTF-8.
import { describe, expect, test } from '@jest/globals';
import { config, readOut, runOnce, T, tempDir, writeLog } from './agent-harness.ts';

const cri = (lines: string[], stream = 'stdout') => lines.map((l) => `${T} ${stream} F ${l}\n`).join('');

describe('pipeline on real files', () => {
  test('partials cut at every read-buffer boundary are joined byte-exact', async () => {
    const root = tempDir();
    let content = '';
    const want: string[] = [];
    for (let i = 0; i < 300; i++) {
      const text = `rec-${i}-${'x'.repeat(i * 37)}-é`;
      const cut = Math.floor(text.length / 2);
      content += `${T} stdout P ${text.slice(0, cut)}\n${T} stdout F ${text.slice(cut)}\n`;
      want.push(text);
    }
    writeLog(root, 'ns', 'pod', 'c', content);
    await runOnce(config(root, [{}], { readBufferBytes: 4096 }));
    expect(readOut(root).map((r) => r.message)).toEqual(want);
  });

  test('JSON bodies become fields; plain text stays message; kubernetes metadata from the path', async () => {
    const root = tempDir();
    writeLog(
      root,
      'shop',
      'web-1',
      'app',
      cri(['{"level":"info","msg":"hi"}', 'plain text', '{"stream":"x"}', '{}', '{bad']),
    );
    await runOnce(config(root, [{}]));
    const out = readOut(root);
    expect(out[0]).toMatchObject({ level: 'info', msg: 'hi', stream: 'stdout', timestamp: T });
    expect(out[0].kubernetes).toMatchObject({
      namespace: 'shop',
      pod: 'web-1',
      container: 'app',
    });
    expect(out[1].message).toBe('plain text');
    expect(out[2].log).toEqual({ stream: 'x' });
    expect(out[3].message).toBeUndefined();
    expect(out[4].message).toBe('{bad');
  });

  test('invalid UTF-8 survives as U+FFFD', async () => {
    const root = tempDir();
    writeLog(
      root,
      'ns',
      'p',
      'c',
      Buffer.concat([Buffer.from(`${T} stdout F a`), Buffer.from([0xff]), Buffer.from('b\n')]),
    );
    await runOnce(config(root, [{}]));
    expect(readOut(root)[0].message).toBe('a\ufffdb');
  });

  test('a 10 MiB physical line is truncated with a marker and the file keeps flowing', async () => {
    const root = tempDir();
    writeLog(root, 'ns', 'p', 'c', `${T} stdout F ${'z'.repeat(10 * 1024 * 1024)}\n${cri(['after'])}`);
    const { stats } = await runOnce(config(root, [{}]));
    const out = readOut(root);
    expect(out).toHaveLength(2);
    expect(String(out[0].message)).toMatch(/^z+…\[truncated \d+ bytes\]$/);
    expect(String(out[0].message).length).toBeLessThan(1024 * 1024 + 100);
    expect(out[1].message).toBe('after');
    expect(stats.pipeline('p0').truncated).toBe(1);
  });

  const java = [
    'Exception in thread "main" java.lang.IllegalStateException: boom',
    '\tat com.example.A.run(A.java:10)',
    '\t... 3 more',
    'Caused by: java.io.IOException: x',
    '\tat com.example.B.io(B.java:5)',
    'next line',
  ];
  const logback = [
    '2026-11-23 09:00:02.113 ERROR [main] c.e.shop.PaymentService - payment failed',
    'java.lang.IllegalStateException: card declined',
    '\tat com.example.shop.PaymentService.charge(PaymentService.java:88)',
    'Suppressed: java.lang.RuntimeException: close failed',
    '\t\tat com.example.shop.Db.close(Db.java:12)',
    'java.lang.IllegalStateException: a bare throwable after a finished trace starts a record',
    'next line',
  ];
  const python = [
    'Traceback (most recent call last):',
    '  File "app.py", line 3, in <module>',
    '    main()',
    'ValueError: bad value',
    'next line',
  ];
  const go = [
    'panic: runtime error: index out of range',
    '',
    'goroutine 1 [running]:',
    'main.main()',
    '\t/app/main.go:5 +0x1d',
    'exit status 2',
    'next line',
  ];
  test.each([
    ['java', java, 5],
    ['java', logback, 5],
    ['python', python, 4],
    ['go', go, 6],
  ] as const)('multiline preset %s', async (preset, lines, n) => {
    const root = tempDir();
    writeLog(root, 'ns', 'p', 'c', cri([...lines]));
    await runOnce(config(root, [{ parse: { multiline: { preset } } }]));
    const out = readOut(root).map((r) => r.message);
    expect(out).toEqual([lines.slice(0, n).join('\n'), ...lines.slice(n)]);
  });

  test('custom multiline with start pattern', async () => {
    const root = tempDir();
    writeLog(root, 'ns', 'p', 'c', cri(['[1] start', 'cont a', 'cont b', '[2] start', 'cont c']));
    await runOnce(config(root, [{ parse: { multiline: { preset: 'custom', start: '^\\[\\d+\\]' } } }]));
    expect(readOut(root).map((r) => r.message)).toEqual(['[1] start\ncont a\ncont b', '[2] start\ncont c']);
  });

  test('filters: drop, redact, add/remove/rename, throttle (drops counted by reason)', async () => {
    const root = tempDir();
    const lines = [
      '{"level":"debug","msg":"noise"}',
      '{"level":"info","msg":"card 4111 1111 1111 1111 mail a.b@example.com","password":"hunter2"}',
      'Authorization: Bearer abc.def-ghi key AKIAABCDEFGHIJKLMNOP',
      ...Array.from({ length: 20 }, (_, i) => `{"level":"info","n":${i}}`),
    ];
    writeLog(root, 'ns', 'p', 'c', cri(lines));
    const { stats } = await runOnce(
      config(root, [
        {
          filters: [
            { drop: { when: { field: 'level', in: ['debug'] } } },
            { redact: { fields: ['password'], patterns: ['creditCard', 'email', 'bearerToken', 'awsKey'] } },
            { add: { fields: { env: 'prod' } } },
            { rename: { fields: { msg: 'text' } } },
            { remove: { fields: ['n'] } },
            { throttle: { recordsPerSecond: 5, per: 'pod' } },
          ],
        },
      ]),
    );
    const out = readOut(root);
    expect(out).toHaveLength(5);
    expect(out[0]).toMatchObject({
      text: 'card [REDACTED] mail [REDACTED]',
      password: '[REDACTED]',
      env: 'prod',
    });
    expect(out[1].message).toBe('Authorization: Bearer [REDACTED] key [REDACTED]');
    expect(out[2].n).toBeUndefined();
    const drops = stats.pipeline('p0').drops;
    expect(drops.get('filtered')).toBe(1);
    expect(drops.get('throttled')).toBe(17);
  });

  test('a LogPipeline reads only its own namespace; container and stream selection', async () => {
    const root = tempDir();
    writeLog(root, 'shop', 'a', 'app', cri(['shop-app']) + cri(['shop-err'], 'stderr'));
    writeLog(root, 'shop', 'b', 'istio-proxy', cri(['sidecar']));
    writeLog(root, 'other', 'c', 'app', cri(['other']));
    await runOnce(
      config(root, [
        {
          kind: 'LogPipeline',
          namespace: 'shop',
          input: { containers: { exclude: ['istio-proxy'] }, streams: ['stdout'] },
        },
      ]),
    );
    expect(readOut(root).map((r) => r.message)).toEqual(['shop-app']);
  });

  test('checkpoints: a second run delivers nothing new, then only appended lines', async () => {
    const root = tempDir();
    const p = writeLog(root, 'ns', 'p', 'c', cri(['one', 'two']));
    const c = config(root, [{}]);
    await runOnce(c);
    await runOnce(c);
    expect(readOut(root).map((r) => r.message)).toEqual(['one', 'two']);
    const { appendFileSync } = await import('node:fs');
    appendFileSync(p, cri(['three']));
    await runOnce(c);
    expect(readOut(root).map((r) => r.message)).toEqual(['one', 'two', 'three']);
  });
});
