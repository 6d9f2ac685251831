// Value conversions of the compiler: API quantities and durations become numbers, and undefined
// fields are left out (the config hash must not see them).
import { parseDuration, parseQuantity } from '../api/units.ts';

export const bytes = (q: string | undefined): number | undefined =>
  q === undefined ? undefined : parseQuantity(q);

export const ms = (d: string | undefined): number | undefined =>
  d === undefined ? undefined : parseDuration(d);

export function drop<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
