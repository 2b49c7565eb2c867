/**
 * The rules of `detections/` on data as it really comes: unknown event types, oddly typed or missing
 * fields, malformed entries. Nothing throws; an unknown event type matches nothing; a rule never fires on
 * a field it could not read.
 */
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detect, loadRules } from "../../lambdas/detections/engine/index.js";
import type { InsightsEvent } from "../../lambdas/jumpcloud/types.js";
import { RULE_CASES, type Sample } from "./cases.js";

const DETECTIONS = new URL("../../detections/", import.meta.url);
const rules = loadRules(
  readdirSync(DETECTIONS)
    .filter((name) => name.endsWith(".yml"))
    .map((source) => ({ source, text: readFileSync(new URL(source, DETECTIONS), "utf8") })),
);
const eventRules = rules.filter((rule) => rule.kind === "event");
const samples = (sample: Sample): InsightsEvent[] => (Array.isArray(sample) ? sample : [sample]);
/** Every event of every positive case: real-shaped events that some rule is about. */
const positives = Object.values(RULE_CASES).flatMap((cases) => cases.positive.flatMap(samples));

/** Odd values a field can hold in a real response. */
const oddValue = fc.oneof(
  fc.constantFrom<unknown>(null, "", "false", "FALSE", "true", 0, 1, -1, [], {}, [null], [{}], "0.0.0.0/0"),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 10_000 }),
);

/** A copy of `event` with the field at `path` set to `value` (or removed when `value` is undefined). */
function mutate(event: InsightsEvent, path: readonly string[], value: unknown): InsightsEvent {
  const copy = structuredClone(event) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path.at(-1) as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy as InsightsEvent;
}

/** Every dotted path of an event's own fields, nested objects included. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [prefix];
  const entries = Object.entries(value);
  return [prefix, ...entries.flatMap(([key, child]) => paths(child, [...prefix, key]))].filter(
    (path) => path.length > 0,
  );
}

describe("the rules on real, odd data", () => {
  it("an unknown event type matches no rule, whatever else the event carries", () => {
    for (const event of positives) {
      for (const type of ["some_future_event", "radius_auth_reject", "", "ADMIN_LOGIN_ATTEMPT_V2"]) {
        const unknown = { ...event, event_type: type };
        for (const rule of eventRules) expect(rule.matches(unknown), `${rule.title} on ${type}`).toBe(false);
      }
    }
  });

  it("no rule throws on a real-shaped event with any field swapped for an odd value or removed", () => {
    const pathsOf = positives.map((event) => ({ event, paths: paths(event) }));
    fc.assert(
      fc.property(
        fc.nat(pathsOf.length - 1),
        fc.nat(),
        fc.option(oddValue, { nil: undefined }),
        (which, pick, value) => {
          const { event, paths: options } = pathsOf[which] as (typeof pathsOf)[number];
          const path = options[pick % options.length] as string[];
          const odd = mutate(event, path, value);
          for (const rule of eventRules) expect(typeof rule.matches(odd)).toBe("boolean");
          expect(() => detect(rules, [event, odd, odd]).matches).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });

  it("no rule throws on arbitrary JSON events, and malformed entries in a batch are skipped", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.object()), { maxLength: 20 }),
        (batch) => {
          expect(() => detect(rules, batch as unknown as InsightsEvent[]).matches).not.toThrow();
        },
      ),
      { numRuns: 200 },
    );
    const real = positives[0] as InsightsEvent;
    const batch = [null, 42, "event", [], real] as unknown as InsightsEvent[];
    expect(detect(rules, batch).matches.flatMap((m) => m.events)).toEqual(
      detect(rules, [real]).matches.flatMap((m) => m.events),
    );
  });

  it("every real-shaped case is evaluated within the default budget and depth: no event is left unevaluated", () => {
    const all = Object.values(RULE_CASES).flatMap((cases) =>
      [...cases.positive, ...cases.negative].flatMap(samples),
    );
    expect(all.length).toBeGreaterThan(50);
    expect(detect(rules, all).problems).toEqual([]);
  });

  it("a real-shaped event padded with a 100,000-character user agent is still evaluated by every rule", () => {
    const padded = positives.map((event) => ({
      ...event,
      useragent: { name: "x".repeat(100_000), major: "131", os: "mac os x" },
    }));
    const result = detect(rules, padded);
    expect(result.problems).toEqual([]);
    expect(result.matches.length).toBe(detect(rules, positives).matches.length);
  });

  it("a failure whose outcome field is missing or unreadable is not counted as a failure", () => {
    const base = rules.find((rule) => rule.title === "JumpCloud Failed User Authentication");
    const admin = rules.find((rule) => rule.title === "JumpCloud Failed Admin Portal Login");
    if (base?.kind !== "event" || admin?.kind !== "event") throw new Error("rules missing");
    const outcomes = [undefined, null, "", "unknown", 0, {}, []];
    for (const value of outcomes) {
      const sso = {
        id: "1",
        event_type: "sso_auth",
        service: "sso",
        timestamp: "2026-11-28T09:00:00Z",
        sso_token_success: value,
      };
      const radius = {
        id: "2",
        event_type: "radius_auth_attempt",
        service: "radius",
        timestamp: "2026-11-28T09:00:00Z",
        success: value,
      };
      const login = {
        id: "3",
        event_type: "admin_login_attempt",
        service: "directory",
        timestamp: "2026-11-28T09:00:00Z",
        success: value,
      };
      expect(base.matches(sso as InsightsEvent), `sso ${JSON.stringify(value)}`).toBe(false);
      expect(base.matches(radius as InsightsEvent), `radius ${JSON.stringify(value)}`).toBe(false);
      expect(admin.matches(login as InsightsEvent), `admin ${JSON.stringify(value)}`).toBe(false);
    }
  });
});
