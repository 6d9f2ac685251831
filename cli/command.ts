// The contract of a subcommand: parse its own argv (node:util parseArgs), print `--help`, and
// return the process exit code — 0 success, 1 the input was found invalid, 2 usage errors.
export interface Command {
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

export class UsageError extends Error {}

export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;
