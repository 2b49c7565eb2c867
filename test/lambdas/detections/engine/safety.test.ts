/**
 * Rules safe by construction (issue 10): `|re` runs on RE2 (linear time) and refuses what RE2 cannot
 * express, wildcards match without backtracking, every rule has a work budget per event, and events or
 * rule files nested too deep are refused with a clear error, never a RangeError. Behaviour only: the
 * timings are printed by `npm run bench:rules`, never asserted here.
 */
import { describe, expect, it } from "vitest";
import {
  BudgetExceededError,
  detect,
  EventTooDeepError,
  loadRules,
  parseRules,
  printableEventId,
  RuleError,
} from "../../../../lambdas/detections/engine/index.js";
import type { InsightsEvent } from "../../../../lambdas/jumpcloud/types.js";
import { detectionDoc, event, yamlOf } from "./helpers.js";

/** One event rule from a detection block. */
function rule(detection: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  const [compiled] = parseRules(yamlOf(detectionDoc(detection, overrides)), "safety.yml");
  if (compiled?.kind !== "event") throw new Error("expected an event rule");
  return compiled;
}

function rejection(text: string, source = "custom.yml"): RuleError {
  try {
    parseRules(text, source);
  } catch (error) {
    if (error instanceof RuleError) return error;
    throw error;
  }
  throw new Error("expected a RuleError");
}

/** An event whose user agent (attacker-controlled: it is the attacker's browser) is `name`. */
function withAgent(name: string, id = "evt-ua"): InsightsEvent {
  return event({ id, useragent: { name, major: "131", os: "mac os x" } });
}

/** A value nested `depth` arrays deep, built without recursion. */
function nestedArrays(depth: number): unknown {
  let value: unknown = "x";
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe("|re on RE2", () => {
  const redos = () => rule({ sel: { "useragent.name|re": "^(a+)+$" }, condition: "sel" });

  it("^(a+)+$ on a 31-character attacker-controlled user agent completes with the right answer", () => {
    const r = redos();
    expect(r.matches(withAgent(`${"a".repeat(30)}!`))).toBe(false);
    expect(r.matches(withAgent("a".repeat(31)))).toBe(true);
  });

  it("^(a+)+$ on a 100,000-character user agent is evaluated within the budget, with the right answer", () => {
    const r = redos();
    const { matches, problems } = detect(
      [r],
      [withAgent(`${"a".repeat(99_999)}!`, "no"), withAgent("a".repeat(100_000), "yes")],
    );
    expect(problems).toEqual([]);
    expect(matches.map((m) => m.events[0]?.id)).toEqual(["yes"]);
  });

  it("refuses a backreference at load, naming the file, the rule, the field and the reason", () => {
    const doc = detectionDoc(
      { sel: { "useragent.name|re": "(a+)\\1" }, condition: "sel" },
      { title: "Backref" },
    );
    const error = rejection(yamlOf(doc));
    expect(error.code).toBe("INVALID_RULE");
    expect(error.source).toBe("custom.yml");
    expect(error.ruleId).toBe(doc.id);
    expect(error.message).toMatch(
      /^custom\.yml: rule "Backref" \(.+\): detection: field 'useragent\.name': regular expression '\(a\+\)\\1' uses a backreference '\\1', which cannot be matched in linear time/,
    );
  });

  it("refuses lookaround and named backreferences at load, with the construct named", () => {
    const cases: [string, RegExp][] = [
      ["admin(?=@)", /lookahead '\(\?='/],
      ["admin(?!@)", /negative lookahead '\(\?!'/],
      ["(?<=x)admin", /lookbehind '\(\?<='/],
      ["(?<!x)admin", /negative lookbehind '\(\?<!'/],
      ["(?<n>a)\\k<n>", /named backreference/],
    ];
    for (const [pattern, reason] of cases) {
      expect(
        rejection(yamlOf(detectionDoc({ sel: { "event_type|re": pattern }, condition: "sel" }))).message,
      ).toMatch(reason);
    }
  });

  it("escaped digits, classes and named groups are not taken for backreferences", () => {
    expect(
      rule({ sel: { "event_type|re": "\\\\1" }, condition: "sel" }).matches(event({ event_type: "\\1" })),
    ).toBe(true);
    expect(
      rule({ sel: { "event_type|re": "^[\\\\1]x" }, condition: "sel" }).matches(event({ event_type: "1x" })),
    ).toBe(true);
    expect(rule({ sel: { "event_type|re": "(?<kind>admin)_" }, condition: "sel" }).matches(event())).toBe(
      true,
    );
  });

  it("refuses a program too large for the budget", () => {
    expect(
      rejection(yamlOf(detectionDoc({ sel: { "event_type|re": "a.{600}b.{600}c" }, condition: "sel" })))
        .message,
    ).toMatch(/too large to match within the per-event budget \(RE2 program size \d+, at most 1000\)/);
  });

  it("keeps Sigma's semantics: a case-sensitive search; (?i) inside the pattern makes it insensitive", () => {
    const search = rule({ sel: { "event_type|re": "login" }, condition: "sel" });
    expect(search.matches(event({ event_type: "admin_login_attempt" }))).toBe(true);
    expect(search.matches(event({ event_type: "ADMIN_LOGIN_ATTEMPT" }))).toBe(false);
    const insensitive = rule({ sel: { "event_type|re": "(?i)^admin_LOGIN" }, condition: "sel" });
    expect(insensitive.matches(event({ event_type: "admin_login_attempt" }))).toBe(true);
    const anchored = rule({ sel: { "event_type|re": "^login" }, condition: "sel" });
    expect(anchored.matches(event({ event_type: "admin_login_attempt" }))).toBe(false);
    // `.` stops at a newline and `$` is the end of the value, as in JavaScript without flags.
    const dot = rule({ sel: { "event_type|re": "^a.b$" }, condition: "sel" });
    expect(dot.matches(event({ event_type: "a\nb" }))).toBe(false);
    expect(dot.matches(event({ event_type: "a-b" }))).toBe(true);
  });
});

describe("wildcards without backtracking", () => {
  it("four-wildcard contains on a long value: right answer both ways", () => {
    const r = rule({ sel: { "useragent.name|contains": "a*b*c*d*e" }, condition: "sel" });
    const long = "a".repeat(100_000);
    expect(r.matches(withAgent(long))).toBe(false);
    expect(r.matches(withAgent(`${"x".repeat(200)}`))).toBe(false);
    expect(r.matches(withAgent(`${"a".repeat(50_000)}B${"c".repeat(49_000)}D-E`))).toBe(true);
    // Every piece present, but not in order: no match.
    expect(r.matches(withAgent(`e${"d".repeat(99_999)}cba`))).toBe(false);
  });

  it("? segments, startswith and endswith keep their anchoring", () => {
    const starts = rule({ sel: { "event_type|startswith": "adm?n_*_att" }, condition: "sel" });
    expect(starts.matches(event({ event_type: "admin_login_attempt" }))).toBe(true);
    expect(starts.matches(event({ event_type: "xadmin_login_attempt" }))).toBe(false);
    const ends = rule({ sel: { "event_type|endswith": "_?ttempt" }, condition: "sel" });
    expect(ends.matches(event({ event_type: "admin_login_attempt" }))).toBe(true);
    expect(ends.matches(event({ event_type: "admin_login_attempts" }))).toBe(false);
    const exact = rule({ sel: { event_type: "a*a*a" }, condition: "sel" });
    expect(exact.matches(event({ event_type: "aaa" }))).toBe(true);
    expect(exact.matches(event({ event_type: "aa" }))).toBe(false);
  });
});

describe("the budget per event", () => {
  const longAgent = "m".repeat(50_000);

  it("a rule that runs out is reported for that event, naming it and the rule; other rules and events go on", () => {
    const heavy = rule(
      { sel: { "useragent.name|re": "[a-z]+q" }, condition: "sel" },
      { title: "Heavy user-agent pattern" },
    );
    const light = rule({ sel: { event_type: "admin_login_attempt" }, condition: "sel" }, { title: "Light" });
    const { matches, problems } = detect(
      [heavy, light],
      [withAgent(longAgent, "padded"), withAgent("mq", "short")],
      { ruleBudget: 10_000 },
    );
    expect(problems).toEqual([
      {
        code: "EVENT_BUDGET_EXCEEDED",
        eventId: "padded",
        index: 0,
        ruleIds: [heavy.id],
        message: expect.stringMatching(
          /^event padded: matching budget exhausted \(10,000 work units per rule, .*\): not evaluated by rule "Heavy user-agent pattern" \(/,
        ),
      },
    ]);
    // The light rule still judged the padded event; both rules judged the short one.
    expect(matches.map((m) => `${m.rule.title}:${m.events[0]?.id}`)).toEqual([
      "Light:padded",
      "Heavy user-agent pattern:short",
      "Light:short",
    ]);
  });

  it("once the event's whole budget is spent, the remaining rules are listed as not evaluated", () => {
    const rules = [1, 2, 3].map((n) =>
      rule({ sel: { "useragent.name|contains": `needle${n}` }, condition: "sel" }, { title: `R${n}` }),
    );
    const { problems } = detect(rules, [withAgent(longAgent, "big")], {
      ruleBudget: 1_000_000,
      eventBudget: 150_000,
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.ruleIds).toEqual([rules[1]?.id, rules[2]?.id]);
    expect(problems[0]?.message).toMatch(/not evaluated by rule "R2" .*, rule "R3"/);
  });

  it("rule.matches called alone throws the named error, never answers false", () => {
    const r = rule({ sel: { "useragent.name|re": "(?:x.{900})+y" }, condition: "sel" });
    expect(() => r.matches(withAgent("x".repeat(100_000)))).toThrow(BudgetExceededError);
  });

  it("a huge changes list is charged too", () => {
    const r = rule({ sel: { "changes.field": "enableMultiFactor" }, condition: "sel" });
    const changes = Array.from({ length: 200_000 }, (_, i) => ({ field: `f${i}`, from: 1, to: 2 }));
    const { problems } = detect([r], [event({ id: "many", changes })], { ruleBudget: 100_000 });
    expect(problems.map((p) => [p.code, p.eventId])).toEqual([["EVENT_BUDGET_EXCEEDED", "many"]]);
  });
});

describe("deep nesting", () => {
  it("an event nested 20,000 arrays deep: a clear error naming it, and the rest of the batch is evaluated", () => {
    const r = rule({ sel: { event_type: "admin_login_attempt" }, condition: "sel" }, { title: "Login" });
    const deep = event({ id: "deep-1", useragent: nestedArrays(20_000) });
    const batch = [event({ id: "before" }), deep, event({ id: "after" })];
    const { matches, problems } = detect([r], batch);
    expect(matches.map((m) => m.events[0]?.id)).toEqual(["before", "after"]);
    expect(problems).toEqual([
      {
        code: "EVENT_TOO_DEEP",
        eventId: "deep-1",
        index: 1,
        ruleIds: [r.id],
        message:
          "event deep-1: nested deeper than 64 levels of objects and arrays: refused, not evaluated by any rule (1)",
      },
    ]);
  });

  it("rule.matches on such an event throws EventTooDeepError naming the event, not a RangeError", () => {
    const r = rule({ sel: { "useragent.name": "x" }, condition: "sel" });
    const deep = event({ id: "deep-2", useragent: { name: nestedArrays(20_000) } });
    expect(() => r.matches(deep)).toThrow(EventTooDeepError);
    expect(() => r.matches(deep)).toThrow(/^event deep-2: nested deeper than 64 levels/);
  });

  it("64 levels are evaluated; 65 are refused", () => {
    const r = rule({ sel: { event_type: "admin_login_attempt" }, condition: "sel" });
    // The event is level 1 and `extra` holds the arrays.
    const at = (depth: number) => event({ id: `d${depth}`, extra: nestedArrays(depth - 1) });
    const { matches, problems } = detect([r], [at(64), at(65)]);
    expect(matches.map((m) => m.events[0]?.id)).toEqual(["d64"]);
    expect(problems.map((p) => p.eventId)).toEqual(["d65"]);
  });

  it("a rule file nested too deep is refused with the file and the reason (flow and block styles)", () => {
    const flow = `title: x\nextra: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`;
    expect(rejection(flow, "deep.yml").message).toMatch(
      /^deep\.yml: nested deeper than 64 levels of maps and lists/,
    );
    const block = `title: x\nextra:\n${Array.from({ length: 100 }, (_, i) => `${" ".repeat(2 * i + 2)}-`).join("\n")} x\n`;
    expect(rejection(block, "deep.yml").message).toBe(
      "deep.yml: nested deeper than 64 levels of maps and lists",
    );
  });

  it("a rule file within the limit still loads", () => {
    const doc = detectionDoc({ sel: { event_type: "x" }, condition: "sel" }, { extra: nestedArrays(30) });
    expect(loadRules([{ source: "ok.yml", text: yamlOf(doc) }])).toHaveLength(1);
  });
});

describe("event ids in problems", () => {
  it("are printable: control characters, markup and long ids cannot ride along", () => {
    expect(printableEventId({ id: "5e95d60b05e8907888c4e009" })).toBe("5e95d60b05e8907888c4e009");
    expect(printableEventId({ id: "\u001b[2J<!channel>\nPASS 2.2" })).toBe("??2J??channel??PASS?2.2");
    expect(printableEventId({ id: "x".repeat(100) })).toBe(`${"x".repeat(64)}…`);
    expect(printableEventId({ id: { nested: true } })).toBe("(no id)");
    expect(printableEventId({})).toBe("(no id)");
  });
});
