// `sluice generate`: CRI log load generator, and `--verify` the checker of delivered output.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Command, EXIT } from '../command.ts';

const help = `usage: sluice generate --dir DIR [options]
       sluice generate --verify OUTPUT... --manifest FILE

Write CRI-format container logs under DIR (laid out like /var/log/pods). Every logical line
carries a unique tag SEQ:<file>:<n>; the manifest records how many each file got. The default
mix is the benchmark workload (60% JSON, 33% plain, 6.5% Java traces, 0.5% 17-20 KB lines
split into P/F records).

options:
      --dir DIR             where to write (created)
      --files N             container log files (default 8)
      --events N            events per file (default 100000); with --rate: until --duration
      --rate N              events per second over all files (default: as fast as possible)
      --duration S          seconds to run at --rate (default 10)
      --partial-fraction F  split this fraction of short lines into random P pieces (default 0)
      --rotate MODE         rename | copytruncate
      --rotate-bytes N      rotate a file past N bytes (default 10 MiB when --rotate is set)
      --seed N              random seed (default 1)
      --manifest FILE       where to write the manifest (default DIR/generate-manifest.json)
      --verify              check NDJSON outputs (positional) against --manifest; exit 1 on loss
  -h, --help                show this help
`;

export const command: Command = {
  summary: 'write CRI-format container logs at a given rate (load generator)',
  async run(argv) {
    let parsed: ReturnType<typeof parse>;
    const parse = (a: string[]) =>
      parseArgs({
        args: a,
        allowPositionals: true,
        options: {
          dir: { type: 'string' },
          files: { type: 'string' },
          events: { type: 'string' },
          rate: { type: 'string' },
          duration: { type: 'string' },
          'partial-fraction': { type: 'string' },
          rotate: { type: 'string' },
          'rotate-bytes': { type: 'string' },
          seed: { type: 'string' },
          manifest: { type: 'string' },
          verify: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    try {
      parsed = parse(argv);
    } catch (e) {
      process.stderr.write(`sluice generate: ${(e as Error).message}\n\n${help}`);
      return EXIT.usage;
    }
    const v = parsed.values;
    if (v.help) {
      process.stdout.write(help);
      return EXIT.ok;
    }
    if (v.verify) {
      if (v.manifest === undefined || parsed.positionals.length === 0) {
        process.stderr.write(`sluice generate: --verify needs --manifest and output files\n\n${help}`);
        return EXIT.usage;
      }
      const { verifyOutputs } = await import('../../agent/src/loadgen/verify.ts');
      const manifest = JSON.parse(readFileSync(v.manifest, 'utf8')) as { files: Record<string, number> };
      const r = verifyOutputs(parsed.positionals, manifest.files);
      process.stdout.write(`${JSON.stringify(r)}\n`);
      return r.lost === 0 ? EXIT.ok : EXIT.invalid;
    }
    if (v.dir === undefined) {
      process.stderr.write(`sluice generate: --dir is required\n\n${help}`);
      return EXIT.usage;
    }
    const num = (s: string | undefined, d: number) => (s === undefined ? d : Number(s));
    const files = num(v.files, 8);
    const events = num(v.events, 100_000);
    const rate = num(v.rate, 0);
    const duration = num(v.duration, 10);
    const pf = num(v['partial-fraction'], 0);
    if (![files, events, rate, duration, pf].every(Number.isFinite) || files < 1) {
      process.stderr.write('sluice generate: numeric options must be numbers\n');
      return EXIT.usage;
    }
    if (v.rotate !== undefined && v.rotate !== 'rename' && v.rotate !== 'copytruncate') {
      process.stderr.write('sluice generate: --rotate must be rename or copytruncate\n');
      return EXIT.usage;
    }
    const { LogGenerator } = await import('../../agent/src/loadgen/generate.ts');
    const gen = new LogGenerator({
      dir: v.dir,
      files,
      partialFraction: pf,
      rotate: v.rotate as 'rename' | 'copytruncate' | undefined,
      rotateBytes: v.rotate !== undefined ? num(v['rotate-bytes'], 10 << 20) : undefined,
      seed: num(v.seed, 1),
    });
    const manifestPath = v.manifest ?? join(v.dir, 'generate-manifest.json');
    // Written aside and renamed over: a reader polling the manifest never sees it half-written.
    const save = () => {
      writeFileSync(
        `${manifestPath}.tmp`,
        JSON.stringify({ files: gen.manifest(), lines: gen.linesWritten }),
      );
      renameSync(`${manifestPath}.tmp`, manifestPath);
    };
    if (rate <= 0) {
      for (let i = 0; i < files; i++)
        for (let k = 0; k < events; k += 1000) gen.write(i, Math.min(1000, events - k));
    } else {
      let stop = false;
      process.once('SIGTERM', () => {
        stop = true;
      });
      const start = Date.now();
      let done = 0;
      while (!stop && Date.now() - start < duration * 1000) {
        const due = Math.floor(((Date.now() - start) / 1000) * rate);
        for (; done < due; done++) gen.write(done % files, 1);
        save();
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    save();
    gen.close();
    process.stdout.write(
      `${JSON.stringify({ lines: gen.linesWritten, bytes: gen.bytesWritten, manifest: manifestPath })}\n`,
    );
    return EXIT.ok;
  },
};
