/**
 * Rules over `changes[]` judge one change at a time: a rule naming `changes.*` is evaluated once per element
 * of `changes` (the event with `changes` bound to that element) and matches when any element does.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detect, type EventRuleExtras, parseRules } from "../../../../lambdas/detections/engine/index.js";
import type { CompiledRule } from "../../../../lambdas/detections/types.js";
import type { InsightsEvent } from "../../../../lambdas/jumpcloud/types.js";
import { correlationDoc, detectionDoc, event, yamlOf } from "./helpers.js";

function compile(detection: Record<string, unknown>): CompiledRule & { kind: "event" } & EventRuleExtras {
  const [rule] = parseRules(yamlOf(detectionDoc(detection)), "changes.yml");
  if (rule?.kind !== "event") throw new Error("expected an event rule");
  return rule;
}

const change = (field: string, from: unknown, to: unknown) => ({ field, from, to });
const update = (...changes: unknown[]) => event({ event_type: "organization_update", changes });

/** "Directory Insights turned off", written as the rule in detections/ writes it. */
const diOff = compile({
  selection: { event_type: "organization_update", "changes.field|contains": "directoryInsights" },
  filter_enabled: { "changes.to": true },
  condition: "selection and not filter_enabled",
});
/** "Admin MFA requirement turned off": field and value in one selection. */
const mfaOff = compile({
  selection: { event_type: "admin_update", "changes.field": "enableMultiFactor", "changes.to": false },
  condition: "selection",
});
const DI = "settings.features.directoryInsights.enabled";

describe("one change at a time", () => {
  it("a field and its value must meet in the same change", () => {
    const off = (...changes: unknown[]) => mfaOff.matches(event({ event_type: "admin_update", changes }));
    expect(off(change("enableMultiFactor", true, false))).toBe(true);
    expect(off(change("firstname", "a", "b"), change("enableMultiFactor", true, false))).toBe(true);
    // MFA turned ON while another field goes to false: a field/value pair split over two changes.
    expect(off(change("enableMultiFactor", false, true), change("suspended", true, false))).toBe(false);
    expect(off(change("suspended", true, false), change("enableMultiFactor", false, true))).toBe(false);
  });

  it("'selection and not filter' is 'some change is selected and not filtered'", () => {
    // Directory Insights off while another setting is turned on: detected.
    expect(diOff.matches(update(change(DI, true, false), change("settings.mfa", false, true)))).toBe(true);
    expect(diOff.matches(update(change("settings.mfa", false, true), change(DI, true, false)))).toBe(true);
    // Directory Insights on while another setting is turned off: not detected.
    expect(diOff.matches(update(change(DI, false, true), change("settings.mfa", true, false)))).toBe(false);
    expect(diOff.matches(update(change(DI, false, true)))).toBe(false);
    expect(diOff.matches(update(change("settings.mfa", true, false)))).toBe(false);
  });

  it("matches once per event, however many of its changes match", () => {
    const twice = update(change(DI, true, false), change(`${DI}.premium`, true, false));
    const matches = detect([diOff], [twice]).matches;
    expect(matches).toHaveLength(1);
    expect(matches[0]?.events).toEqual([twice]);
  });

  it("each evaluation sees the rest of the event unchanged", () => {
    const byAlice = compile({
      selection: { "initiated_by.email": "alice@example.com", "changes.field": "roleName" },
      condition: "selection",
    });
    const e = (email: string) =>
      event({ initiated_by: { email }, changes: [change("email", "x", "y"), change("roleName", "a", "b")] });
    expect(byAlice.matches(e("alice@example.com"))).toBe(true);
    expect(byAlice.matches(e("bob@example.com"))).toBe(false);
  });

  it("applies when any selection of the rule names changes, even one only used negated", () => {
    const rule = compile({
      selection: { event_type: "authpolicy_update" },
      filter: { "changes.field": "name" },
      condition: "selection and not filter",
    });
    expect(rule.perChange).toBe(true);
    // Per change: the `disabled` change is selected and not a rename.
    expect(
      rule.matches(
        event({
          event_type: "authpolicy_update",
          changes: [change("name", "a", "b"), change("disabled", false, true)],
        }),
      ),
    ).toBe(true);
    expect(
      rule.matches(event({ event_type: "authpolicy_update", changes: [change("name", "a", "b")] })),
    ).toBe(false);
  });

  it("rules that do not name changes see the whole event", () => {
    const rule = compile({ selection: { event_type: "organization_update" }, condition: "selection" });
    expect(rule.perChange).toBeUndefined();
    expect(diOff.perChange).toBe(true);
    expect(detect([rule], [update(change("a", 1, 2), change("b", 3, 4))]).matches).toHaveLength(1);
  });

  it("without a non-empty changes list the event is evaluated once, as it is", () => {
    const noChanges = compile({
      selection: { event_type: "organization_update" },
      empty: { changes: null },
      condition: "selection and empty",
    });
    expect(noChanges.matches(event({ event_type: "organization_update" }))).toBe(true);
    expect(noChanges.matches(update())).toBe(true);
    expect(noChanges.matches(event({ event_type: "organization_update", changes: null }))).toBe(true);
    expect(noChanges.matches(update(change("a", 1, 2)))).toBe(false);
    // A single change object instead of a list is read as it is.
    expect(
      diOff.matches(event({ event_type: "organization_update", changes: change(DI, true, false) })),
    ).toBe(true);
    expect(diOff.matches(event({ event_type: "organization_update" }))).toBe(false);
  });

  it("odd changes (strings, numbers, nulls, nested lists) never throw and never match a field", () => {
    for (const changes of [["x", 1, null, true], [[change(DI, true, false)]], "changes", 42, {}]) {
      const e = event({ event_type: "organization_update", changes });
      expect(() => diOff.matches(e)).not.toThrow();
      expect(() => mfaOff.matches(e)).not.toThrow();
    }
    expect(diOff.matches(update("x", 1, null))).toBe(false);
    // A nested list is an array leaf: its change is still found (one element, read as a list).
    expect(diOff.matches(update([change(DI, true, false)]))).toBe(true);
  });

  it("equals a split into one event per change (how a SIEM pipeline maps it)", () => {
    const value = fc.constantFrom<unknown>(true, false, "true", "false", null, 0, "x", undefined);
    const fieldName = fc.constantFrom(DI, "settings.mfa", "enableMultiFactor", "roleName");
    const changeArb = fc.record({ field: fieldName, from: value, to: value });
    fc.assert(
      fc.property(fc.array(changeArb, { minLength: 1, maxLength: 5 }), (changes) => {
        for (const rule of [diOff, mfaOff]) {
          const type = rule === diOff ? "organization_update" : "admin_update";
          const whole = rule.matches(event({ event_type: type, changes }));
          const split = changes.some((c) => rule.matches(event({ event_type: type, changes: [c] })));
          expect(whole).toBe(split);
        }
      }),
    );
  });
});

describe("correlations over per-change rules", () => {
  it("count events, not changes", () => {
    const base = detectionDoc(
      { selection: { "changes.to|contains": "0.0.0.0/0" }, condition: "selection" },
      { name: "broad" },
    );
    const corr = correlationDoc({
      rules: ["broad"],
      "group-by": ["client_ip"],
      timespan: "10m",
      condition: { gte: 2 },
    });
    const rules = parseRules(yamlOf(base, corr), "broad.yml");
    const broad = (id: string) =>
      event({
        id,
        client_ip: "192.0.2.1",
        changes: [change("ips", "", "0.0.0.0/0"), change("ipv4", "", "0.0.0.0/0")],
      }) as InsightsEvent;
    expect(detect(rules, [broad("1")]).matches.filter((m) => m.rule.kind === "correlation")).toEqual([]);
    expect(
      detect(rules, [broad("1"), broad("2")]).matches.filter((m) => m.rule.kind === "correlation"),
    ).toHaveLength(1);
  });
});
