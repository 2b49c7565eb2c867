import { describe, expect, it } from "vitest";
import { detect, loadRules, parseRules } from "../../../../lambdas/detections/engine/index.js";
import type { CompiledRule } from "../../../../lambdas/detections/types.js";
import type { InsightsEvent } from "../../../../lambdas/jumpcloud/types.js";
import { correlationDoc, detectionDoc, event, yamlOf } from "./helpers.js";

const T0 = Date.parse("2025-03-01T12:00:00.000Z");
const minutes = (m: number) => new Date(T0 + m * 60_000).toISOString();

function failedLogin(ip: string, minute: number, id = `${ip}@${minute}`): InsightsEvent {
  return event({
    id,
    event_type: "admin_login_attempt",
    success: false,
    client_ip: ip,
    timestamp: minutes(minute),
  });
}

const failedAdminLogin = detectionDoc(
  { selection: { event_type: "admin_login_attempt", success: false }, condition: "selection" },
  { title: "Failed admin login", name: "failed_admin_login" },
);

function rules(
  correlation: Record<string, unknown> = {},
  overrides: Record<string, unknown> = {},
): CompiledRule[] {
  const corr = correlationDoc(
    {
      rules: ["failed_admin_login"],
      "group-by": ["client_ip"],
      timespan: "10m",
      condition: { gte: 5 },
      ...correlation,
    },
    { title: "Admin brute force", ...overrides },
  );
  return loadRules([{ source: "brute-force.yml", text: yamlOf(failedAdminLogin, corr) }]);
}

const ids = (events: InsightsEvent[]) => events.map((e) => e.id);

describe("event_count correlations", () => {
  it("5 failed admin logins from one IP within 10 minutes → one match for that IP", () => {
    const events = [0, 2, 4, 6, 8].map((m) => failedLogin("192.0.2.66", m));
    const matches = detect(rules(), events).matches;
    expect(matches).toHaveLength(1);
    expect(matches[0]?.rule.title).toBe("Admin brute force");
    expect(matches[0]?.group).toEqual({ client_ip: "192.0.2.66" });
    expect(ids(matches[0]?.events ?? [])).toEqual(ids(events));
  });

  it("4 failed logins → no match", () => {
    const events = [0, 1, 2, 3].map((m) => failedLogin("192.0.2.66", m));
    expect(detect(rules(), events).matches).toEqual([]);
  });

  it("5 failed logins spread over 11 minutes → no match", () => {
    const events = [0, 2.75, 5.5, 8.25, 11].map((m) => failedLogin("192.0.2.66", m));
    expect(detect(rules(), events).matches).toEqual([]);
  });

  it("exactly 10 minutes between first and last still counts (inclusive window)", () => {
    const events = [0, 2.5, 5, 7.5, 10].map((m) => failedLogin("192.0.2.66", m));
    expect(detect(rules(), events).matches).toHaveLength(1);
  });

  it("only failed logins count", () => {
    const events = [0, 1, 2, 3].map((m) => failedLogin("192.0.2.66", m));
    events.push(event({ success: true, client_ip: "192.0.2.66", timestamp: minutes(4) }));
    expect(detect(rules(), events).matches).toEqual([]);
  });

  it("groups IPs independently", () => {
    const a = [0, 1, 2, 3, 4].map((m) => failedLogin("192.0.2.1", m));
    const b = [0, 1, 2, 3].map((m) => failedLogin("192.0.2.2", m + 0.5));
    const c = [5, 6, 7, 8, 9, 10].map((m) => failedLogin("192.0.2.3", m));
    const matches = detect(rules(), [...a, ...b, ...c].reverse()).matches;
    expect(matches.map((m) => m.group)).toEqual([{ client_ip: "192.0.2.1" }, { client_ip: "192.0.2.3" }]);
    expect(ids(matches[0]?.events ?? [])).toEqual(ids(a));
    expect(ids(matches[1]?.events ?? [])).toEqual(ids(c));
  });

  it("does not mix IPs: 3 + 3 from two IPs → none", () => {
    const events = [0, 1, 2].flatMap((m) => [failedLogin("192.0.2.1", m), failedLogin("192.0.2.2", m)]);
    expect(detect(rules(), events).matches).toEqual([]);
  });

  it("sorts unordered input by timestamp", () => {
    const inOrder = [0, 2, 4, 6, 8, 12, 30].map((m) => failedLogin("192.0.2.66", m));
    const shuffled = [
      inOrder[4],
      inOrder[0],
      inOrder[6],
      inOrder[5],
      inOrder[2],
      inOrder[1],
      inOrder[3],
    ].filter((e): e is InsightsEvent => e !== undefined);
    const matches = detect(rules(), shuffled).matches;
    expect(matches).toHaveLength(1);
    // Windows anchored at 0 (0..8) and at 2 (2..12) satisfy; at 4 (4..12) only 4 events; 30 is alone.
    expect(ids(matches[0]?.events ?? [])).toEqual(ids(inOrder.slice(0, 6)));
  });

  it("lists every event of every satisfying window, once", () => {
    const events = [0, 1, 2, 3, 4, 20, 21, 22, 23, 24, 40].map((m) => failedLogin("192.0.2.66", m));
    const matches = detect(rules(), events).matches;
    expect(matches).toHaveLength(1);
    expect(ids(matches[0]?.events ?? [])).toEqual(ids(events.slice(0, 10)));
  });

  it("does not emit the base rule separately when generate is false (the default)", () => {
    const events = [0, 1, 2, 3, 4].map((m) => failedLogin("192.0.2.66", m));
    const matches = detect(rules(), events).matches;
    expect(matches.map((m) => m.rule.kind)).toEqual(["correlation"]);
    const explicit = detect(rules({ generate: false }), events).matches;
    expect(explicit.map((m) => m.rule.kind)).toEqual(["correlation"]);
  });

  it("emits the base rule's own matches too when generate is true", () => {
    const events = [0, 1, 2, 3, 4].map((m) => failedLogin("192.0.2.66", m));
    const matches = detect(rules({ generate: true }), events).matches;
    expect(matches.map((m) => m.rule.title)).toEqual([
      ...events.map(() => "Failed admin login"),
      "Admin brute force",
    ]);
    expect(matches.slice(0, 5).map((m) => m.events[0]?.id)).toEqual(ids(events));
  });

  it("accepts generate at the top level of the correlation rule", () => {
    const events = [0, 1, 2, 3, 4].map((m) => failedLogin("192.0.2.66", m));
    expect(detect(rules({}, { generate: true }), events).matches).toHaveLength(6);
  });

  it("an unreferenced rule always emits, in event order", () => {
    const other = detectionDoc(
      { sel: { event_type: "admin_delete" }, condition: "sel" },
      { title: "Admin deleted" },
    );
    const loaded = loadRules([{ source: "x.yml", text: yamlOf(other) }]);
    const events = [
      event({ event_type: "admin_delete", id: "1" }),
      event({ id: "2" }),
      event({ event_type: "admin_delete", id: "3" }),
    ];
    expect(detect(loaded, events).matches.map((m) => m.events.map((e) => e.id))).toEqual([["1"], ["3"]]);
  });

  it("gt / eq / lt conditions", () => {
    const five = [0, 1, 2, 3, 4].map((m) => failedLogin("192.0.2.66", m));
    expect(detect(rules({ condition: { gt: 5 } }), five).matches).toEqual([]);
    expect(detect(rules({ condition: { gt: 4 } }), five).matches).toHaveLength(1);
    expect(detect(rules({ condition: { eq: 5 } }), five).matches).toHaveLength(1);
    expect(detect(rules({ condition: { eq: 6 } }), five).matches).toEqual([]);
    const sparse = [failedLogin("192.0.2.9", 0)];
    expect(detect(rules({ condition: { lt: 2 } }), sparse).matches).toHaveLength(1);
    expect(detect(rules({ condition: { lt: 1 } }), sparse).matches).toEqual([]);
  });

  it("counts each event once when it matches several base rules", () => {
    const admin = detectionDoc({ sel: { event_type: "admin_login_attempt" }, condition: "sel" });
    const failed = detectionDoc({ sel: { success: false }, condition: "sel" });
    const corr = correlationDoc({
      rules: [admin.id, failed.id],
      "group-by": ["client_ip"],
      timespan: "10m",
      condition: { gte: 5 },
    });
    const loaded = parseRules(yamlOf(admin, failed, corr), "multi.yml");
    const four = [0, 1, 2, 3].map((m) => failedLogin("192.0.2.66", m));
    expect(detect(loaded, four).matches).toEqual([]);
  });

  it("groups by several dotted fields; no group-by means one group", () => {
    const byUserAndIp = rules({ "group-by": ["initiated_by.email", "client_ip"] });
    const events = [0, 1, 2, 3, 4].map((m) =>
      event({
        success: false,
        client_ip: "192.0.2.66",
        initiated_by: { email: "bob@example.com" },
        timestamp: minutes(m),
      }),
    );
    expect(detect(byUserAndIp, events).matches[0]?.group).toEqual({
      "initiated_by.email": "bob@example.com",
      client_ip: "192.0.2.66",
    });
    const mixed = [0, 1, 2, 3, 4].map((m) => failedLogin(`192.0.2.${m}`, m));
    expect(detect(rules({ "group-by": [] }), mixed).matches).toMatchObject([{ group: {} }]);
    expect(detect(rules(), mixed).matches).toEqual([]);
  });

  it("leaves events without the group-by field out instead of pooling them under one empty group", () => {
    const noIp = (minute: number, fields: Record<string, unknown> = {}) =>
      event({ success: false, timestamp: minutes(minute), ...fields });
    // Five failures with no address, a null one, an empty one, an empty list: no common source.
    const addressless = [
      noIp(0),
      noIp(1, { client_ip: null }),
      noIp(2, { client_ip: "" }),
      noIp(3, { client_ip: [] }),
      noIp(4, { client_ip: "  " }),
    ];
    expect(detect(rules(), addressless).matches).toEqual([]);
    // Four failures from one address plus address-less ones: still under the threshold.
    const four = [0, 1, 2, 3].map((m) => failedLogin("192.0.2.66", m));
    expect(detect(rules(), [...four, ...addressless]).matches).toEqual([]);
    // Five from one address: one match, listing only that address's events.
    const five = [...four, failedLogin("192.0.2.66", 4)];
    const matches = detect(rules(), [...addressless, ...five]).matches;
    expect(matches.map((m) => m.group)).toEqual([{ client_ip: "192.0.2.66" }]);
    expect(ids(matches[0]?.events ?? [])).toEqual(ids(five));
  });

  it("with several group-by fields, an event missing any of them is left out", () => {
    const byUserAndIp = rules({ "group-by": ["initiated_by.email", "client_ip"] });
    const login = (minute: number, email?: string) =>
      event({
        success: false,
        client_ip: "192.0.2.66",
        timestamp: minutes(minute),
        ...(email ? { initiated_by: { email } } : {}),
      });
    const withEmail = [0, 1, 2, 3].map((m) => login(m, "bob@example.com"));
    expect(detect(byUserAndIp, [...withEmail, login(4)]).matches).toEqual([]);
    expect(detect(byUserAndIp, [...withEmail, login(4, "bob@example.com")]).matches).toHaveLength(1);
  });

  it("odd group-by values (numbers, lists, objects) group by their text and never throw", () => {
    const odd = [0, 1, 2, 3, 4].map((m) => failedLogin("x", m));
    for (const [i, e] of odd.entries()) e.client_ip = [7, ["192.0.2.1", null], { v: 4 }, true, 7][i] as never;
    expect(() => detect(rules({ condition: { gte: 1 } }), odd).matches).not.toThrow();
    const groups = detect(rules({ condition: { gte: 1 } }), odd).matches.map((m) => m.group?.client_ip);
    expect(groups).toEqual(["7", "192.0.2.1", '{"v":4}', "true"]);
  });

  it("leaves out events whose timestamp is missing, not a string or not a date", () => {
    const four = [0, 1, 2, 3].map((m) => failedLogin("192.0.2.66", m));
    expect(detect(rules(), [...four, failedLogin("192.0.2.66", 4)]).matches).toHaveLength(1);
    for (const timestamp of [undefined, 1_740_830_400_000, "yesterday", null]) {
      const odd = { ...failedLogin("192.0.2.66", 4), timestamp } as unknown as InsightsEvent;
      expect(detect(rules(), [...four, odd]).matches).toEqual([]);
    }
  });

  it("works on rules built from the contract alone (threshold read as gte)", () => {
    const loaded = rules();
    const [base, corr] = loaded;
    if (corr?.kind !== "correlation" || !base) throw new Error("expected a correlation");
    const plain: CompiledRule = {
      kind: "correlation",
      id: corr.id,
      title: corr.title,
      status: corr.status,
      description: corr.description,
      level: corr.level,
      tags: [],
      fields: [],
      falsepositives: [],
      references: [],
      source: "hand-made",
      baseRuleIds: [base.id],
      groupBy: ["client_ip"],
      timespanMs: 600_000,
      threshold: 3,
    };
    const three = [0, 1, 2].map((m) => failedLogin("192.0.2.66", m));
    expect(detect([base, plain], three).matches).toHaveLength(1);
  });
});
