import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  evaluateCondition,
  parseCondition,
  parseRules,
} from "../../../../lambdas/detections/engine/index.js";
import { detectionDoc, event, yamlOf } from "./helpers.js";

const NAMES = ["sel_a", "sel_b", "filter_c", "d"] as const;

type Tree =
  | { t: "var"; i: number; paren: boolean }
  | { t: "not"; c: Tree; paren: boolean }
  | { t: "and" | "or"; l: Tree; r: Tree; paren: boolean };

const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ t: fc.constant("var" as const), i: fc.nat(NAMES.length - 1), paren: fc.boolean() }),
    fc.record({ t: fc.constant("not" as const), c: tie("tree"), paren: fc.boolean() }),
    fc.record({ t: fc.constant("and" as const), l: tie("tree"), r: tie("tree"), paren: fc.boolean() }),
    fc.record({ t: fc.constant("or" as const), l: tie("tree"), r: tie("tree"), paren: fc.boolean() }),
  ),
}));

const assignment = fc.array(fc.boolean(), { minLength: NAMES.length, maxLength: NAMES.length });
/** Whitespace pieces: `gaps[k]` separates tokens; words always get at least one space. */
const gaps = fc.array(fc.constantFrom("", " ", "  ", "\t", " \n "), { minLength: 1, maxLength: 8 });

function direct(node: Tree, values: readonly boolean[]): boolean {
  switch (node.t) {
    case "var":
      return values[node.i] ?? false;
    case "not":
      return !direct(node.c, values);
    case "and":
      return direct(node.l, values) && direct(node.r, values);
    case "or":
      return direct(node.l, values) || direct(node.r, values);
  }
}

/** Renders a tree as Sigma condition text: parentheses where precedence needs them, plus random redundant ones. */
function render(node: Tree, spacing: readonly string[]): string {
  let k = 0;
  const gap = (): string => spacing[k++ % spacing.length] ?? "";
  const space = (): string => {
    const g = gap();
    return g.trim() === "" && g.length > 0 ? g : " ";
  };
  const precedence = { or: 1, and: 2, not: 3, var: 4 } as const;
  const go = (n: Tree, minimum: number): string => {
    let text: string;
    switch (n.t) {
      case "var":
        text = NAMES[n.i] ?? "d";
        break;
      case "not":
        text = `not${space()}${go(n.c, precedence.not)}`;
        break;
      case "and":
        text = `${go(n.l, precedence.and)}${space()}and${space()}${go(n.r, precedence.and)}`;
        break;
      case "or":
        text = `${go(n.l, precedence.or)}${space()}or${space()}${go(n.r, precedence.or)}`;
        break;
    }
    return n.paren || precedence[n.t] < minimum ? `(${gap()}${text}${gap()})` : text;
  };
  return `${gap()}${go(node, 0)}${gap()}`;
}

const holds = (values: readonly boolean[]) => (name: string) => values[NAMES.indexOf(name as never)] ?? false;

function engineValue(condition: string, values: readonly boolean[]): boolean {
  return evaluateCondition(parseCondition(condition, NAMES), holds(values));
}

describe("condition grammar (property-based)", () => {
  it("parses rendered trees to the same boolean function", () => {
    fc.assert(
      fc.property(tree, assignment, gaps, (t, values, spacing) => {
        expect(engineValue(render(t, spacing), values)).toBe(direct(t, values));
      }),
      { numRuns: 500 },
    );
  });

  it("agrees end to end: YAML rule → compiled rule → event", () => {
    fc.assert(
      fc.property(tree, assignment, gaps, (t, values, spacing) => {
        const detection: Record<string, unknown> = { condition: render(t, spacing) };
        NAMES.forEach((name, i) => {
          detection[name] = { [`f${i}`]: "yes" };
        });
        const [rule] = parseRules(yamlOf(detectionDoc(detection)), "property.yml");
        if (rule?.kind !== "event") throw new Error("expected an event rule");
        const fields = Object.fromEntries(values.map((v, i) => [`f${i}`, v ? "yes" : "no"]));
        expect(rule.matches(event(fields))).toBe(direct(t, values));
      }),
      { numRuns: 100 },
    );
  });

  it("not not X == X", () => {
    fc.assert(
      fc.property(tree, assignment, gaps, (t, values, spacing) => {
        const x = render(t, spacing);
        expect(engineValue(`not not (${x})`, values)).toBe(engineValue(x, values));
        expect(engineValue(`not (not (${x}))`, values)).toBe(direct(t, values));
      }),
    );
  });

  it("De Morgan: not (A or B) == not A and not B; not (A and B) == not A or not B", () => {
    fc.assert(
      fc.property(tree, tree, assignment, gaps, (a, b, values, spacing) => {
        const ta = render(a, spacing);
        const tb = render(b, spacing);
        expect(engineValue(`not ((${ta}) or (${tb}))`, values)).toBe(
          engineValue(`not (${ta}) and not (${tb})`, values),
        );
        expect(engineValue(`not (${ta}) and not (${tb})`, values)).toBe(
          !(direct(a, values) || direct(b, values)),
        );
        expect(engineValue(`not ((${ta}) and (${tb}))`, values)).toBe(
          engineValue(`not (${ta}) or not (${tb})`, values),
        );
      }),
    );
  });

  it("1 of them / all of them equal the OR / AND of all selections", () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (values, hiddenValue) => {
          const names = values.map((_, i) => `s${i}`);
          const identifiers = [...names, "_hidden"];
          const lookup = (name: string) =>
            name === "_hidden" ? hiddenValue : (values[names.indexOf(name)] ?? false);
          const value = (condition: string) =>
            evaluateCondition(parseCondition(condition, identifiers), lookup);
          expect(value("1 of them")).toBe(value(names.join(" or ")));
          expect(value("all of them")).toBe(value(names.join(" and ")));
          expect(value("1 of them")).toBe(values.some(Boolean));
          expect(value("all of them")).toBe(values.every(Boolean));
          expect(value("1 of s*")).toBe(values.some(Boolean));
          expect(value("all of s*")).toBe(values.every(Boolean));
        },
      ),
    );
  });

  it("rejects any rendered tree with one token dropped or an unknown identifier added", () => {
    fc.assert(
      fc.property(tree, gaps, (t, spacing) => {
        const text = render(t, spacing);
        expect(() => parseCondition(`${text} and unknown_sel`, NAMES)).toThrow(
          /unknown selection identifier/,
        );
        expect(() => parseCondition(`(${text}`, NAMES)).toThrow(/expected '\)'/);
        expect(() => parseCondition(`${text} and`, NAMES)).toThrow(/position/);
      }),
    );
  });
});
