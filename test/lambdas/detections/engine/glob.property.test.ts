/**
 * The linear wildcard matcher agrees with a reference: the JavaScript RegExp the engine used to build
 * (`^…$`, flags `is`, every literal escaped), run only on small inputs where its backtracking is cheap.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileGlob, foldCase, type GlobMode } from "../../../../lambdas/detections/engine/glob.js";

/** The reference: Sigma wildcards → an anchored, case-insensitive, dot-all RegExp with literals escaped. */
function reference(pattern: string, mode: GlobMode): RegExp {
  const literal = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    const next = pattern.charAt(i + 1);
    if (ch === "\\" && (next === "*" || next === "?" || next === "\\")) {
      source += literal(next);
      i++;
    } else if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += literal(ch);
  }
  if (mode === "contains") source = `.*${source}.*`;
  else if (mode === "startswith") source = `${source}.*`;
  else if (mode === "endswith") source = `.*${source}`;
  return new RegExp(`^${source}$`, "is");
}

const modes: GlobMode[] = ["exact", "contains", "startswith", "endswith"];
/** Characters that stress the matcher: wildcards, escapes, case pairs, special case mappings, surrogates. */
const tricky = [
  "a",
  "b",
  "A",
  "B",
  "*",
  "?",
  "\\",
  ".",
  "\n",
  "ß",
  "ſ",
  "s",
  "S",
  "k",
  "K",
  "\u212a",
  "İ",
  "i",
  "\ud83d",
  "\ude00",
];
const trickyText = (max: number) =>
  fc.array(fc.constantFrom(...tricky), { maxLength: max }).map((c) => c.join(""));

describe("compileGlob agrees with the reference RegExp", () => {
  it("on patterns and values from a small, tricky alphabet (every mode)", () => {
    fc.assert(
      fc.property(trickyText(8), trickyText(14), fc.constantFrom(...modes), (pattern, value, mode) => {
        expect(compileGlob(pattern, mode).test(foldCase(value))).toBe(reference(pattern, mode).test(value));
      }),
      { numRuns: 3000 },
    );
  });

  it("on values built to contain the pattern's pieces (so matches are common)", () => {
    fc.assert(
      fc.property(
        trickyText(8),
        fc.array(trickyText(3), { maxLength: 4 }),
        fc.constantFrom(...modes),
        (pattern, fillers, mode) => {
          const pieces = pattern.replace(/\\(.)/g, "$1").split(/[*?]/);
          const value = pieces.map((piece, i) => `${fillers[i] ?? ""}${piece}`).join(fillers[0] ?? "");
          expect(compileGlob(pattern, mode).test(foldCase(value))).toBe(reference(pattern, mode).test(value));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("on arbitrary Unicode text", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 6 }),
        fc.string({ unit: "binary", maxLength: 12 }),
        fc.constantFrom(...modes),
        (pattern, value, mode) => {
          expect(compileGlob(pattern, mode).test(foldCase(value))).toBe(reference(pattern, mode).test(value));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("foldCase", () => {
  it("groups exactly the code units RegExp's i flag treats as equal", () => {
    let all = "";
    for (let code = 0; code < 65536; code++) all += String.fromCharCode(code);
    const members = new Map<string, Set<string>>();
    for (let code = 0; code < 65536; code++) {
      const unit = String.fromCharCode(code);
      const folded = foldCase(unit);
      members.set(folded, (members.get(folded) ?? new Set()).add(unit));
    }
    for (let code = 0; code < 65536; code++) {
      const unit = String.fromCharCode(code);
      // A unit without a case mapping can only equal itself under `i`.
      if (unit.toUpperCase() === unit && unit.toLowerCase() === unit) continue;
      const regex = new RegExp(`\\u${code.toString(16).padStart(4, "0")}`, "gi");
      const equalUnderI = new Set(all.match(regex) ?? []);
      expect(members.get(foldCase(unit)), `U+${code.toString(16)}`).toEqual(equalUnderI);
    }
  });

  it("keeps the length of any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 50 }), (text) => {
        expect(foldCase(text)).toHaveLength(text.length);
      }),
    );
  });
});
