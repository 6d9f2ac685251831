// What every component's start function gets from `up`.
import type { Say } from '../../../tools/install/index.ts';
import type { Pki } from '../pki.ts';
import type { ProcRecord } from '../proc.ts';

export interface Ctx {
  runDir: string;
  pki: Pki;
  say: Say;
  /** record a started process in the state file at once (before waiting for it) */
  track(rec: ProcRecord): void;
}
