import { version } from './version.ts';

export async function main(argv: string[]): Promise<number> {
  const [cmd] = argv;
  if (cmd === 'version') {
    process.stdout.write(`sluice ${version}\n`);
    return 0;
  }
  process.stderr.write('usage: sluice <command>\n');
  return 2;
}
