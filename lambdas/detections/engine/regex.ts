/**
 * Sigma `re` values, compiled with RE2 (the `re2js` port: pure JavaScript, matching in time linear in
 * the input, no backtracking). `^(a+)+$` on a 100,000-character value takes milliseconds where
 * JavaScript's RegExp takes longer than any schedule allows.
 *
 * Semantics: a search (not a full match) unless the pattern anchors itself; case-sensitive unless the
 * pattern says `(?i)`; `.` does not match a newline unless `(?s)`; `^`/`$` are the value's ends unless
 * `(?m)`. The syntax is RE2's (as Go's `regexp`): backreferences and lookaround cannot be expressed in
 * linear time and are refused at load, with the reason; so is a program too large for the per-event
 * budget. RE2 works on code points, so `.` is one character even outside the Basic Multilingual Plane.
 */
import { RE2JS } from "re2js";

/** A compiled `re` value. */
export interface Regex {
  /** Whether the pattern matches somewhere in `value`. */
  test(value: string): boolean;
  /** Worst-case work per character of the value: the RE2 program size (its NFA simulation's bound). */
  readonly costPerChar: number;
}

/**
 * Largest RE2 program accepted. `.{1000}` is 1,002; the repository's rules stay under 40. Larger programs
 * would spend a rule's budget on a value of a few thousand characters.
 */
export const MAX_PROGRAM_SIZE = 1000;

/** Why a pattern is refused; `message` is the whole reason, ready to follow the field name. */
export class RegexRefusedError extends Error {}

/** The first construct RE2 cannot run in linear time, outside character classes and escapes; or undefined. */
function unsupportedConstruct(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === "\\") {
      const next = pattern.charAt(i + 1);
      if (!inClass && /[1-9]/.test(next)) return `backreference '\\${next}'`;
      if (!inClass && next === "k" && pattern.charAt(i + 2) === "<") return "named backreference '\\k<…>'";
      i++;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      continue;
    }
    if (ch === "[") {
      inClass = true;
      // A ']' right after '[' or '[^' is a literal member, not the end of the class.
      if (pattern.charAt(i + 1) === "^") i++;
      if (pattern.charAt(i + 1) === "]") i++;
      continue;
    }
    if (ch === "(" && pattern.charAt(i + 1) === "?") {
      const head = pattern.slice(i + 2, i + 4);
      if (head.startsWith("=")) return "lookahead '(?='";
      if (head.startsWith("!")) return "negative lookahead '(?!'";
      if (head === "<=") return "lookbehind '(?<='";
      if (head === "<!") return "negative lookbehind '(?<!'";
    }
  }
  return undefined;
}

/** Compiles `pattern` with RE2; throws `RegexRefusedError` with the reason when it cannot be run safely. */
export function compileRegex(pattern: string): Regex {
  const construct = unsupportedConstruct(pattern);
  if (construct) {
    throw new RegexRefusedError(
      `regular expression '${pattern}' uses a ${construct}, which cannot be matched in linear time (RE2 syntax; rewrite without it)`,
    );
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    throw new RegexRefusedError(
      `invalid regular expression '${pattern}' (RE2 syntax): ${(error as Error).message}`,
    );
  }
  const size = compiled.programSize();
  if (size > MAX_PROGRAM_SIZE) {
    throw new RegexRefusedError(
      `regular expression '${pattern}' is too large to match within the per-event budget (RE2 program size ${size}, at most ${MAX_PROGRAM_SIZE})`,
    );
  }
  return { costPerChar: Math.max(1, size), test: (value) => compiled.test(value) };
}
