/**
 * Sigma wildcard values (`*`, `?`, plain values, `contains`/`startswith`/`endswith`) matched without a
 * backtracking regular expression.
 *
 * A pattern is split at its `*`s into segments. The first segment must match at the start and the last
 * at the end (unless the pattern starts or ends with `*`); every segment between them is found leftmost,
 * after the previous one, which is optimal for `*` (it matches anything, so taking the earliest
 * occurrence never loses a match). Literal segments are found with `indexOf`; a segment with `?` is found
 * by its longest literal run, then checked position by position. Cost: O(n) per literal segment, and at
 * most O(n·k) for a segment of length k holding `?` ({@link Glob.costPerChar}). The old translation to a
 * JavaScript RegExp (`^.*a.*b.*$`) backtracked polynomially: 21 s for four `*` on 200 characters.
 *
 * Case-insensitivity is the one JavaScript's RegExp `i` flag had (ECMAScript Canonicalize, per UTF-16
 * code unit): both sides are mapped unit by unit, so lengths never change and `?` is one code unit.
 */

/** A compiled wildcard pattern. */
export interface Glob {
  /** Whether `folded` (a value passed through {@link foldCase}) matches. */
  test(folded: string): boolean;
  /** Worst-case work per character of the value, for the per-event budget. */
  readonly costPerChar: number;
}

/** How the pattern is anchored: the whole value, or Sigma's `contains`, `startswith`, `endswith`. */
export type GlobMode = "exact" | "contains" | "startswith" | "endswith";

const STAR = 0;
const ANY = 1;
type Token = typeof STAR | typeof ANY | string;

/** Sigma wildcard syntax: `*`, `?`; `\*`, `\?`, `\\` are literal; any other backslash is itself. */
function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === "\\") {
      const following = pattern.charAt(i + 1);
      if (following === "*" || following === "?" || following === "\\") {
        tokens.push(following);
        i++;
      } else {
        tokens.push("\\");
      }
    } else if (ch === "*") {
      tokens.push(STAR);
    } else if (ch === "?") {
      tokens.push(ANY);
    } else {
      tokens.push(ch);
    }
  }
  return tokens;
}

let canonicalTable: Uint16Array | undefined;

/** ECMAScript Canonicalize (RegExp `i` without `u`): upper case when it is one code unit and stays non-ASCII. */
function canonical(code: number): number {
  if (code < 128) return code >= 97 && code <= 122 ? code - 32 : code;
  canonicalTable ??= new Uint16Array(65536);
  const known = canonicalTable[code] ?? 0;
  if (known !== 0) return known;
  const upper = String.fromCharCode(code).toUpperCase();
  const mapped = upper.length === 1 && upper.charCodeAt(0) >= 128 ? upper.charCodeAt(0) : code;
  canonicalTable[code] = mapped;
  return mapped;
}

const NON_ASCII = /[\u0080-\uffff]/;
const CHUNK = 8192;

/** `text` with every code unit canonicalized for case-insensitive comparison; same length. */
export function foldCase(text: string): string {
  if (!NON_ASCII.test(text)) return text.toUpperCase();
  let out = "";
  const units = new Array<number>(Math.min(CHUNK, text.length));
  for (let start = 0; start < text.length; start += CHUNK) {
    const end = Math.min(text.length, start + CHUNK);
    units.length = end - start;
    for (let i = start; i < end; i++) units[i - start] = canonical(text.charCodeAt(i));
    out += String.fromCharCode(...units);
  }
  return out;
}

interface Segment {
  length: number;
  /** Literal runs between `?`s, with their offset in the segment; one run covering it when there is no `?`. */
  runs: { at: number; text: string }[];
  /** The longest run (searched with `indexOf`), or undefined when the segment is only `?`s. */
  anchor: { at: number; text: string } | undefined;
  hasAny: boolean;
}

function segmentOf(tokens: readonly Token[]): Segment {
  const runs: { at: number; text: string }[] = [];
  let current = "";
  let at = 0;
  tokens.forEach((token, index) => {
    if (token === ANY) {
      if (current) runs.push({ at, text: current });
      current = "";
      at = index + 1;
    } else {
      current += foldCase(token as string);
    }
  });
  if (current) runs.push({ at, text: current });
  const anchor = runs.reduce<Segment["anchor"]>(
    (best, run) => (best === undefined || run.text.length > best.text.length ? run : best),
    undefined,
  );
  return { length: tokens.length, runs, anchor, hasAny: tokens.includes(ANY) };
}

function matchesAt(segment: Segment, value: string, index: number): boolean {
  for (const run of segment.runs) if (!value.startsWith(run.text, index + run.at)) return false;
  return true;
}

/** Leftmost index in [from, to − length] where the segment matches, or −1. */
function find(segment: Segment, value: string, from: number, to: number): number {
  const last = to - segment.length;
  if (last < from) return -1;
  const anchor = segment.anchor;
  if (!anchor) return from;
  let hit = value.indexOf(anchor.text, from + anchor.at);
  while (hit !== -1) {
    const index = hit - anchor.at;
    if (index > last) return -1;
    if (!segment.hasAny || matchesAt(segment, value, index)) return index;
    hit = value.indexOf(anchor.text, hit + 1);
  }
  return -1;
}

/** Compiles a Sigma wildcard pattern (case-insensitive) for the given anchoring. */
export function compileGlob(pattern: string, mode: GlobMode): Glob {
  const body = tokenize(pattern);
  const tokens: Token[] =
    mode === "contains"
      ? [STAR, ...body, STAR]
      : mode === "startswith"
        ? [...body, STAR]
        : mode === "endswith"
          ? [STAR, ...body]
          : body;
  const parts: Token[][] = [[]];
  for (const token of tokens) {
    if (token === STAR) parts.push([]);
    else parts[parts.length - 1]?.push(token);
  }
  const segments = parts.map(segmentOf);
  const costPerChar = 1 + segments.reduce((sum, s) => sum + (s.hasAny ? s.length : 0), 0);

  if (segments.length === 1) {
    const only = segments[0] as Segment;
    return { costPerChar, test: (value) => value.length === only.length && matchesAt(only, value, 0) };
  }
  const first = segments[0] as Segment;
  const lastSegment = segments[segments.length - 1] as Segment;
  const middle = segments.slice(1, -1).filter((segment) => segment.length > 0);
  return {
    costPerChar,
    test(value) {
      const end = value.length - lastSegment.length;
      if (end < first.length) return false;
      if (!matchesAt(first, value, 0) || !matchesAt(lastSegment, value, end)) return false;
      let position = first.length;
      for (const segment of middle) {
        const index = find(segment, value, position, end);
        if (index < 0) return false;
        position = index + segment.length;
      }
      return true;
    },
  };
}
