// The hot path's byte work, with no per-record strings: JSON-escaping a text body straight from
// the read buffer into an output arena, and checking that a body is one JSON object (valid
// UTF-8, no raw line breaks, none of the caller's reserved top-level keys) so it can be spliced
// into the event as it is (serialize.ts). Anything unusual returns -1 and the caller takes the
// string path.

const HEX = '0123456789abcdef';

/**
 * Copies src[s, e) into dst at pos as the inside of a JSON string. Returns the new position, or
 * -1 if the bytes are not valid UTF-8 (the caller then decodes with U+FFFD replacement).
 * dst must have room for 6 × (e - s) bytes.
 */
export function escapeJsonBytes(src: Buffer, s: number, e: number, dst: Buffer, pos: number): number {
  let i = s;
  while (i < e) {
    const c = src[i];
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c < 0x80) {
      dst[pos++] = c;
      i++;
      continue;
    }
    if (c < 0x80) {
      dst[pos++] = 0x5c;
      if (c === 0x22 || c === 0x5c) dst[pos++] = c;
      else if (c === 0x0a) dst[pos++] = 0x6e;
      else if (c === 0x0d) dst[pos++] = 0x72;
      else if (c === 0x09) dst[pos++] = 0x74;
      else {
        dst[pos++] = 0x75;
        dst[pos++] = 0x30;
        dst[pos++] = 0x30;
        dst[pos++] = HEX.charCodeAt(c >> 4);
        dst[pos++] = HEX.charCodeAt(c & 15);
      }
      i++;
      continue;
    }
    const n = utf8SeqLen(src, i, e);
    if (n < 0) return -1;
    for (let k = 0; k < n; k++) dst[pos++] = src[i + k];
    i += n;
  }
  return pos;
}

/** Length of the valid UTF-8 sequence at src[i] (lead byte >= 0x80), or -1. */
export function utf8SeqLen(src: Buffer, i: number, e: number): number {
  const c = src[i];
  if (c >= 0xc2 && c <= 0xdf) return i + 1 < e && (src[i + 1] & 0xc0) === 0x80 ? 2 : -1;
  if (c >= 0xe0 && c <= 0xef) {
    if (i + 2 >= e) return -1;
    const c1 = src[i + 1];
    if ((c1 & 0xc0) !== 0x80 || (src[i + 2] & 0xc0) !== 0x80) return -1;
    if (c === 0xe0 && c1 < 0xa0) return -1; // overlong
    if (c === 0xed && c1 >= 0xa0) return -1; // surrogates
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (i + 3 >= e) return -1;
    const c1 = src[i + 1];
    if ((c1 & 0xc0) !== 0x80 || (src[i + 2] & 0xc0) !== 0x80 || (src[i + 3] & 0xc0) !== 0x80) return -1;
    if (c === 0xf0 && c1 < 0x90) return -1;
    if (c === 0xf4 && c1 >= 0x90) return -1;
    return 4;
  }
  return -1;
}

// A small validating JSON scanner (RFC 8259) over bytes. State lives in module variables to avoid
// allocating per call; it is not re-entrant, which the synchronous hot path never needs.
let B: Buffer;
let P = 0;
let E = 0;

function ws(): void {
  while (P < E) {
    const c = B[P];
    if (c === 0x20 || c === 0x09) P++;
    else return;
  }
}

function str(): boolean {
  // at '"'
  P++;
  while (P < E) {
    const c = B[P];
    if (c === 0x22) {
      P++;
      return true;
    }
    if (c === 0x5c) {
      escaped = true;
      const d = B[P + 1];
      if (d === 0x75) {
        for (let k = 2; k < 6; k++) {
          const h = B[P + k];
          if (!((h >= 0x30 && h <= 0x39) || (h >= 0x61 && h <= 0x66) || (h >= 0x41 && h <= 0x46)))
            return false;
        }
        P += 6;
      } else if (
        d === 0x22 ||
        d === 0x5c ||
        d === 0x2f ||
        d === 0x62 ||
        d === 0x66 ||
        d === 0x6e ||
        d === 0x72 ||
        d === 0x74
      )
        P += 2;
      else return false;
    } else if (c < 0x20) return false;
    else if (c < 0x80) P++;
    else {
      const n = utf8SeqLen(B, P, E);
      if (n < 0) return false;
      P += n;
    }
  }
  return false;
}

function num(): boolean {
  const s = P;
  if (B[P] === 0x2d) P++;
  if (B[P] === 0x30) P++;
  else if (B[P] >= 0x31 && B[P] <= 0x39) while (P < E && B[P] >= 0x30 && B[P] <= 0x39) P++;
  else return false;
  if (B[P] === 0x2e) {
    P++;
    const d = P;
    while (P < E && B[P] >= 0x30 && B[P] <= 0x39) P++;
    if (P === d) return false;
  }
  if (B[P] === 0x65 || B[P] === 0x45) {
    P++;
    if (B[P] === 0x2b || B[P] === 0x2d) P++;
    const d = P;
    while (P < E && B[P] >= 0x30 && B[P] <= 0x39) P++;
    if (P === d) return false;
  }
  return P > s;
}

function lit(word: string): boolean {
  for (let k = 0; k < word.length; k++) if (B[P + k] !== word.charCodeAt(k)) return false;
  P += word.length;
  return true;
}

function value(depth: number): boolean {
  if (depth > 64) return false;
  ws();
  const c = B[P];
  if (c === 0x22) return str();
  if (c === 0x7b) return obj(depth, false);
  if (c === 0x5b) {
    P++;
    ws();
    if (B[P] === 0x5d) {
      P++;
      return true;
    }
    for (;;) {
      if (!value(depth + 1)) return false;
      ws();
      if (B[P] === 0x2c) P++;
      else if (B[P] === 0x5d) {
        P++;
        return true;
      } else return false;
    }
  }
  if (c === 0x74) return lit('true');
  if (c === 0x66) return lit('false');
  if (c === 0x6e) return lit('null');
  return num();
}

/**
 * Reserved keys by their length (a key of another length is looked at no further), and all of
 * them for the dotted check.
 */
export interface ReservedKeys {
  byLength: readonly (readonly Buffer[])[];
  all: readonly Buffer[];
}

/** The table checkJsonObject takes. */
export function reservedKeys(names: readonly string[]): ReservedKeys {
  const max = Math.max(0, ...names.map((k) => Buffer.byteLength(k)));
  const table: Buffer[][] = Array.from({ length: max + 1 }, () => []);
  for (const k of names) table[Buffer.byteLength(k)].push(Buffer.from(k, 'utf8'));
  return { byLength: table, all: names.map((k) => Buffer.from(k, 'utf8')) };
}

/** The reserved keys of the current check. */
let R: ReservedKeys = { byLength: [], all: [] };

/** B[s, s + k.length) is k. */
function same(s: number, k: Buffer): boolean {
  const n = k.length;
  let j = 0;
  while (j < n && B[s + j] === k[j]) j++;
  return j === n;
}

/**
 * Key at B[s, e) (inside quotes, as written: escapes are not decoded) is one of R, or a dotted
 * key under one ("kubernetes.namespace"): search engines expand dots into objects, so it would
 * land inside the event's own object.
 */
function reserved(s: number, e: number): boolean {
  const n = e - s;
  const byLength = R.byLength;
  if (n < byLength.length) {
    const keys = byLength[n];
    for (let i = 0; i < keys.length; i++) if (same(s, keys[i])) return true;
  }
  const all = R.all;
  for (let i = 0; i < all.length; i++) {
    const k = all[i];
    if (k.length < n && B[s + k.length] === 0x2e && same(s, k)) return true;
  }
  return false;
}

let collision = false;
/** The last string read had an escape: as a key it cannot be compared as written. */
let escaped = false;

function obj(depth: number, top: boolean): boolean {
  P++; // '{'
  ws();
  if (B[P] === 0x7d) {
    P++;
    return true;
  }
  for (;;) {
    ws();
    if (B[P] !== 0x22) return false;
    const ks = P + 1;
    escaped = false;
    if (!str()) return false;
    // An escaped top-level key ("str\u0065am") might decode to a reserved one: the string path
    // decodes it and decides.
    if (top && (escaped || reserved(ks, P - 1))) collision = true;
    ws();
    if (B[P] !== 0x3a) return false;
    P++;
    if (!value(depth + 1)) return false;
    ws();
    if (B[P] === 0x2c) P++;
    else if (B[P] === 0x7d) {
      P++;
      return true;
    } else return false;
  }
}

export const JSON_COLLISION = -2;
export const JSON_INVALID = -1;
export const JSON_EMPTY = 0;
export const JSON_SPLICE = 1;

/**
 * Whether buf[s, e) is exactly one JSON object that can be spliced into an event:
 * JSON_SPLICE (non-empty, spliceable), JSON_EMPTY (`{}`), JSON_COLLISION (valid, with one of the
 * reserved `keys` — or an escaped key, which might decode to one — at its top level),
 * JSON_INVALID (anything else, including raw line breaks).
 */
export function checkJsonObject(buf: Buffer, s: number, e: number, keys: ReservedKeys): number {
  if (buf[s] !== 0x7b) return JSON_INVALID;
  R = keys;
  B = buf;
  P = s;
  E = e;
  collision = false;
  const ok = obj(0, true);
  ws();
  const valid = ok && P === e;
  const r = !valid
    ? JSON_INVALID
    : collision
      ? JSON_COLLISION
      : e - s <= 2 || isEmptyObject(buf, s, e)
        ? JSON_EMPTY
        : JSON_SPLICE;
  B = EMPTY;
  return r;
}

const EMPTY = Buffer.alloc(0);

function isEmptyObject(buf: Buffer, s: number, e: number): boolean {
  for (let i = s + 1; i < e - 1; i++) if (buf[i] !== 0x20 && buf[i] !== 0x09) return false;
  return true;
}
