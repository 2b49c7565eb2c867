import { describe, expect, it } from "vitest";
import { parseRules } from "../../../../lambdas/detections/engine/index.js";
import type { InsightsEvent } from "../../../../lambdas/jumpcloud/types.js";
import { detectionDoc, event, yamlOf } from "./helpers.js";

/** Compiles one detection rule and returns its predicate. */
function matcher(detection: Record<string, unknown>): (event: InsightsEvent) => boolean {
  const [rule] = parseRules(yamlOf(detectionDoc(detection)), "matching.yml");
  if (rule?.kind !== "event") throw new Error("expected an event rule");
  return (e) => rule.matches(e);
}

/** A rule with a single selection `sel` and condition `sel`. */
function field(selection: Record<string, unknown>): (event: InsightsEvent) => boolean {
  return matcher({ sel: selection, condition: "sel" });
}

describe("plain values", () => {
  it("match the whole value, case-insensitively", () => {
    const m = field({ event_type: "Admin_Login_Attempt" });
    expect(m(event({ event_type: "admin_login_attempt" }))).toBe(true);
    expect(m(event({ event_type: "ADMIN_LOGIN_ATTEMPT" }))).toBe(true);
    expect(m(event({ event_type: "admin_login_attempt_x" }))).toBe(false);
    expect(m(event({ event_type: "x_admin_login_attempt" }))).toBe(false);
  });

  it("support * and ? wildcards", () => {
    const star = field({ event_type: "admin_*_attempt" });
    expect(star(event({ event_type: "admin_login_attempt" }))).toBe(true);
    expect(star(event({ event_type: "admin__attempt" }))).toBe(true);
    expect(star(event({ event_type: "user_login_attempt" }))).toBe(false);
    const question = field({ client_ip: "10.0.0.?" });
    expect(question(event({ client_ip: "10.0.0.7" }))).toBe(true);
    expect(question(event({ client_ip: "10.0.0.70" }))).toBe(false);
  });

  it("treat escaped wildcards and regex characters literally", () => {
    const m = field({ "resource.name": "a\\*b.c" });
    expect(m(event({ resource: { name: "a*b.c" } }))).toBe(true);
    expect(m(event({ resource: { name: "axxb.c" } }))).toBe(false);
    expect(m(event({ resource: { name: "a*bxc" } }))).toBe(false);
    const q = field({ "resource.name": "what\\?" });
    expect(q(event({ resource: { name: "what?" } }))).toBe(true);
    expect(q(event({ resource: { name: "whatx" } }))).toBe(false);
    const backslash = field({ "resource.name": "dom\\\\*" });
    expect(backslash(event({ resource: { name: "dom\\user" } }))).toBe(true);
    expect(backslash(event({ resource: { name: "domuser" } }))).toBe(false);
  });

  it("a value list is an OR", () => {
    const m = field({ event_type: ["admin_create", "admin_delete"] });
    expect(m(event({ event_type: "admin_create" }))).toBe(true);
    expect(m(event({ event_type: "admin_delete" }))).toBe(true);
    expect(m(event({ event_type: "admin_update" }))).toBe(false);
  });

  it("a selection map is an AND of its fields", () => {
    const m = field({ event_type: "admin_login_attempt", success: false });
    expect(m(event({ success: false }))).toBe(true);
    expect(m(event({ success: true }))).toBe(false);
    expect(m(event({ event_type: "user_login_attempt", success: false }))).toBe(false);
  });

  it("a list of maps is an OR of the maps", () => {
    const m = matcher({
      sel: [{ event_type: "admin_create" }, { event_type: "admin_update", "changes.field": "role" }],
      condition: "sel",
    });
    expect(m(event({ event_type: "admin_create" }))).toBe(true);
    expect(m(event({ event_type: "admin_update", changes: [{ field: "role" }] }))).toBe(true);
    expect(m(event({ event_type: "admin_update", changes: [{ field: "email" }] }))).toBe(false);
  });
});

describe("modifiers", () => {
  it("contains", () => {
    const m = field({ "initiated_by.email|contains": "EVIL" });
    expect(m(event({ initiated_by: { email: "mr.evil@example.com" } }))).toBe(true);
    expect(m(event({ initiated_by: { email: "good@example.com" } }))).toBe(false);
  });

  it("startswith", () => {
    const m = field({ "event_type|startswith": "admin_totp" });
    expect(m(event({ event_type: "admin_totp_disable" }))).toBe(true);
    expect(m(event({ event_type: "x_admin_totp_disable" }))).toBe(false);
  });

  it("endswith", () => {
    const m = field({ "event_type|endswith": "_delete" });
    expect(m(event({ event_type: "admin_delete" }))).toBe(true);
    expect(m(event({ event_type: "admin_delete_x" }))).toBe(false);
  });

  it("contains keeps wildcards", () => {
    const m = field({ "initiated_by.email|contains": "adm*@" });
    expect(m(event({ initiated_by: { email: "x-admin@corp" } }))).toBe(true);
    expect(m(event({ initiated_by: { email: "x-ad@corp" } }))).toBe(false);
  });

  it("re is a case-sensitive RE2 regular expression without implicit anchors", () => {
    const m = field({ "initiated_by.email|re": "^[a-z]+\\d{2}@" });
    expect(m(event({ initiated_by: { email: "bob42@corp.example" } }))).toBe(true);
    expect(m(event({ initiated_by: { email: "Bob42@corp.example" } }))).toBe(false);
    const unanchored = field({ "event_type|re": "totp" });
    expect(unanchored(event({ event_type: "admin_totp_disable" }))).toBe(true);
    expect(unanchored(event({ event_type: "admin_login_attempt" }))).toBe(false);
  });

  it("re does not treat * as a Sigma wildcard", () => {
    const m = field({ "event_type|re": "admin_.*_attempt" });
    expect(m(event({ event_type: "admin_login_attempt" }))).toBe(true);
    const literal = field({ "event_type|re": "a\\*b" });
    expect(literal(event({ event_type: "a*b" }))).toBe(true);
    expect(literal(event({ event_type: "ab" }))).toBe(false);
  });

  it("all: every value must match", () => {
    const m = field({ "initiated_by.email|contains|all": ["admin", "example.com"] });
    expect(m(event({ initiated_by: { email: "admin@example.com" } }))).toBe(true);
    expect(m(event({ initiated_by: { email: "admin@corp.net" } }))).toBe(false);
    expect(m(event({ initiated_by: { email: "bob@example.com" } }))).toBe(false);
  });

  it("all on an array field: each value must match some element", () => {
    const m = field({ "auth_context.policies_applied.name|all": ["require mfa", "trusted devices"] });
    const policies = (...names: string[]) => ({
      auth_context: { policies_applied: names.map((name) => ({ name })) },
    });
    expect(m(event(policies("trusted devices", "require mfa")))).toBe(true);
    expect(m(event(policies("require mfa")))).toBe(false);
  });

  it("all on changes: every value must match within one change", () => {
    const m = field({ "changes.field|contains|all": ["directoryInsights", "enabled"] });
    expect(m(event({ changes: [{ field: "settings.features.directoryInsights.enabled" }] }))).toBe(true);
    expect(m(event({ changes: [{ field: "directoryInsights.premium" }, { field: "enabled" }] }))).toBe(false);
  });

  it("cidr (IPv4 and IPv6)", () => {
    const m = field({ "client_ip|cidr": ["192.0.2.0/24", "2001:db8::/32"] });
    expect(m(event({ client_ip: "192.0.2.66" }))).toBe(true);
    expect(m(event({ client_ip: "::ffff:192.0.2.66" }))).toBe(true);
    expect(m(event({ client_ip: "2001:db8::1" }))).toBe(true);
    expect(m(event({ client_ip: "198.51.100.1" }))).toBe(false);
    expect(m(event({ client_ip: "not an ip" }))).toBe(false);
    expect(m(event({}))).toBe(false);
  });
});

describe("fields and types", () => {
  it("dotted paths reach nested objects", () => {
    const m = field({ "initiated_by.type": "admin", "mfa_meta.type": "none" });
    expect(m(event({ initiated_by: { type: "admin" }, mfa_meta: { type: "none" } }))).toBe(true);
    expect(m(event({ initiated_by: { type: "admin" }, mfa_meta: { type: "totp" } }))).toBe(false);
    expect(m(event({ initiated_by: { type: "admin" } }))).toBe(false);
  });

  it("a literal key containing a dot is found", () => {
    const m = field({ "outer.eap_type": "peap" });
    expect(m(event({ "outer.eap_type": "peap" }))).toBe(true);
    expect(m(event({ outer: { eap_type: "peap" } }))).toBe(true);
  });

  it("array fields match when any element matches, with dotted paths into objects", () => {
    const policies = field({ "auth_context.policies_applied.metadata.action": "deny" });
    expect(
      policies(
        event({
          auth_context: {
            policies_applied: [{ metadata: { action: "allow" } }, { metadata: { action: "deny" } }],
          },
        }),
      ),
    ).toBe(true);
    expect(policies(event({ auth_context: { policies_applied: [{ metadata: { action: "allow" } }] } }))).toBe(
      false,
    );
    const m = field({ "changes.field": "mfa", "changes.to": false });
    expect(
      m(
        event({
          changes: [
            { field: "email", to: "x" },
            { field: "mfa", to: false },
          ],
        }),
      ),
    ).toBe(true);
    expect(m(event({ changes: [{ field: "email", to: false }] }))).toBe(false);
    const tags = field({ tags: "privileged" });
    expect(tags(event({ tags: ["normal", "privileged"] }))).toBe(true);
    expect(tags(event({ tags: ["normal"] }))).toBe(false);
  });

  it("booleans match JSON booleans and their string form", () => {
    const m = field({ success: false });
    expect(m(event({ success: false }))).toBe(true);
    expect(m(event({ success: "false" }))).toBe(true);
    expect(m(event({ success: true }))).toBe(false);
    expect(m(event({}))).toBe(false);
    const quoted = field({ success: "false" });
    expect(quoted(event({ success: false }))).toBe(true);
    expect(quoted(event({ success: true }))).toBe(false);
  });

  it("numbers compare by value", () => {
    const m = field({ attempts: 5 });
    expect(m(event({ attempts: 5 }))).toBe(true);
    expect(m(event({ attempts: "5" }))).toBe(true);
    expect(m(event({ attempts: 50 }))).toBe(false);
  });

  it("null matches a missing or null field", () => {
    const m = field({ "mfa_meta.type": null });
    expect(m(event({}))).toBe(true);
    expect(m(event({ mfa_meta: null }))).toBe(true);
    expect(m(event({ mfa_meta: { type: null } }))).toBe(true);
    expect(m(event({ mfa_meta: { type: "totp" } }))).toBe(false);
  });

  it("null in a value list", () => {
    const m = field({ "mfa_meta.type": [null, "none"] });
    expect(m(event({}))).toBe(true);
    expect(m(event({ mfa_meta: { type: "none" } }))).toBe(true);
    expect(m(event({ mfa_meta: { type: "totp" } }))).toBe(false);
  });

  it("booleans tolerate their string forms in any case, and nothing else", () => {
    const failed = field({ success: false });
    for (const value of [false, "false", "FALSE", "False", [false], ["x", "false"]]) {
      expect(failed(event({ success: value })), JSON.stringify(value)).toBe(true);
    }
    for (const value of [true, "true", 0, "0", "", "no", null, [], {}, { success: false }, [true]]) {
      expect(failed(event({ success: value })), JSON.stringify(value)).toBe(false);
    }
  });

  it("a path through a non-object (string, number, null, list of scalars) finds nothing", () => {
    const m = field({ "initiated_by.email": "alice@example.com" });
    for (const initiated_by of ["alice@example.com", 42, null, true, ["alice@example.com"]]) {
      expect(m(event({ initiated_by })), JSON.stringify(initiated_by)).toBe(false);
    }
    expect(m(event({ initiated_by: [{ email: "alice@example.com" }] }))).toBe(true);
  });

  it("objects and lists of objects never equal a string, a number or a pattern", () => {
    const rules = [
      field({ client_ip: "192.0.2.1" }),
      field({ "client_ip|contains": "192" }),
      field({ "client_ip|re": "." }),
      field({ "client_ip|cidr": "0.0.0.0/0" }),
      field({ attempts: 5 }),
    ];
    for (const value of [{ ip: "192.0.2.1" }, [{ ip: "192.0.2.1" }], {}, [], null]) {
      for (const m of rules) expect(m(event({ client_ip: value, attempts: value }))).toBe(false);
    }
  });

  it("null matches an empty list (no value) but not a list holding a value", () => {
    const m = field({ "mfa_meta.type": null });
    expect(m(event({ mfa_meta: { type: [] } }))).toBe(true);
    expect(m(event({ mfa_meta: { type: [null] } }))).toBe(true);
    expect(m(event({ mfa_meta: { type: ["none"] } }))).toBe(false);
  });

  it("an event that is not an object matches nothing and does not throw", () => {
    const m = field({ "changes.field": "x" });
    for (const odd of [null, undefined, 42, "event", [], [{ changes: [{ field: "x" }] }]]) {
      expect(m(odd as unknown as InsightsEvent)).toBe(false);
    }
  });

  it("field names are case-sensitive", () => {
    const m = field({ Event_Type: "admin_login_attempt" });
    expect(m(event())).toBe(false);
  });
});

describe("conditions", () => {
  const base = {
    login: { event_type: "admin_login_attempt" },
    failed: { success: false },
    trusted: { "client_ip|cidr": "10.0.0.0/8" },
  };

  it("not", () => {
    const m = matcher({ ...base, condition: "login and not failed" });
    expect(m(event({ success: true }))).toBe(true);
    expect(m(event({ success: false }))).toBe(false);
  });

  it("not binds tighter than and, and tighter than or", () => {
    const m = matcher({ ...base, condition: "not failed and trusted or login and failed" });
    // (not failed and trusted) or (login and failed)
    expect(m(event({ event_type: "x", success: true, client_ip: "10.1.1.1" }))).toBe(true);
    expect(m(event({ success: false, client_ip: "8.8.8.8" }))).toBe(true);
    expect(m(event({ event_type: "x", success: false, client_ip: "10.1.1.1" }))).toBe(false);
  });

  it("parentheses override precedence", () => {
    const m = matcher({ ...base, condition: "login and (failed or trusted)" });
    const n = matcher({ ...base, condition: "(login and failed) or trusted" });
    const e = event({ event_type: "x", success: true, client_ip: "10.1.1.1" });
    expect(m(e)).toBe(false);
    expect(n(e)).toBe(true);
    const notGroup = matcher({ ...base, condition: "not (failed or trusted)" });
    expect(notGroup(event({ success: true, client_ip: "8.8.8.8" }))).toBe(true);
    expect(notGroup(event({ success: true, client_ip: "10.0.0.1" }))).toBe(false);
  });

  it("1 of selection*", () => {
    const m = matcher({
      selection_create: { event_type: "admin_create" },
      selection_delete: { event_type: "admin_delete" },
      other: { event_type: "admin_update" },
      condition: "1 of selection*",
    });
    expect(m(event({ event_type: "admin_create" }))).toBe(true);
    expect(m(event({ event_type: "admin_delete" }))).toBe(true);
    expect(m(event({ event_type: "admin_update" }))).toBe(false);
  });

  it("all of selection*", () => {
    const m = matcher({
      sel_type: { event_type: "admin_login_attempt" },
      sel_fail: { success: false },
      filter: { client_ip: "10.0.0.1" },
      condition: "all of sel_* and not filter",
    });
    expect(m(event({ success: false, client_ip: "8.8.8.8" }))).toBe(true);
    expect(m(event({ success: true, client_ip: "8.8.8.8" }))).toBe(false);
    expect(m(event({ success: false, client_ip: "10.0.0.1" }))).toBe(false);
  });

  it("all of them / 1 of them (ignoring _-prefixed identifiers)", () => {
    const all = matcher({ ...base, condition: "all of them" });
    expect(all(event({ success: false, client_ip: "10.0.0.1" }))).toBe(true);
    expect(all(event({ success: false, client_ip: "8.8.8.8" }))).toBe(false);
    const one = matcher({ a: { event_type: "a" }, _hidden: { event_type: "h" }, condition: "1 of them" });
    expect(one(event({ event_type: "a" }))).toBe(true);
    expect(one(event({ event_type: "h" }))).toBe(false);
  });
});
