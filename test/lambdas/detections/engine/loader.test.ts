import { describe, expect, it } from "vitest";
import { loadRules, parseRules, RuleError } from "../../../../lambdas/detections/engine/index.js";
import { correlationDoc, detectionDoc, event, yamlOf } from "./helpers.js";

const FILE = "detections/test-rule.yml";
const selection = { selection: { event_type: "admin_login_attempt" }, condition: "selection" };

/** Parses and returns the RuleError, failing the test when none is thrown. */
function rejection(text: string, source = FILE): RuleError {
  try {
    parseRules(text, source);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleError);
    return error as RuleError;
  }
  throw new Error("expected a RuleError");
}

function expectRejected(doc: Record<string, unknown>, problem: RegExp): RuleError {
  const error = rejection(yamlOf(doc));
  expect(error.code).toBe("INVALID_RULE");
  expect(error.message).toContain(FILE);
  expect(error.message).toMatch(problem);
  return error;
}

describe("parseRules: valid rules", () => {
  it("compiles a detection rule with its metadata", () => {
    const doc = detectionDoc(selection, {
      title: "Admin login",
      tags: ["attack.initial_access"],
      falsepositives: "Admins logging in",
      references: ["https://example.com"],
      fields: ["client_ip"],
      level: "high",
    });
    const [rule, ...rest] = parseRules(yamlOf(doc), FILE);
    expect(rest).toHaveLength(0);
    expect(rule).toMatchObject({
      kind: "event",
      id: doc.id,
      title: "Admin login",
      status: "experimental",
      description: "A rule for tests.",
      level: "high",
      tags: ["attack.initial_access"],
      fields: ["client_ip"],
      falsepositives: ["Admins logging in"],
      references: ["https://example.com"],
      source: FILE,
    });
    if (rule?.kind !== "event") throw new Error("expected an event rule");
    expect(rule.matches(event())).toBe(true);
    expect(rule.matches(event({ event_type: "admin_create" }))).toBe(false);
  });

  it("defaults the optional lists to empty arrays", () => {
    const [rule] = parseRules(yamlOf(detectionDoc(selection)), FILE);
    expect(rule).toMatchObject({ tags: [], fields: [], falsepositives: [], references: [] });
  });

  it("reads every document of a multi-document file, skipping empty ones", () => {
    const a = detectionDoc(selection, { title: "A" });
    const b = detectionDoc(selection, { title: "B" });
    const c = correlationDoc({
      rules: [a.id],
      "group-by": ["client_ip"],
      timespan: "10m",
      condition: { gte: 5 },
    });
    const rules = parseRules(`${yamlOf(a, b, c)}---\n`, FILE);
    expect(rules.map((rule) => rule.kind)).toEqual(["event", "event", "correlation"]);
    expect(rules.map((rule) => rule.title)).toEqual(["A", "B", "Test correlation"]);
  });

  it("compiles a correlation rule", () => {
    const base = detectionDoc(selection);
    const corr = correlationDoc({
      rules: [base.id],
      "group-by": ["client_ip"],
      timespan: "10m",
      condition: { gte: 5 },
    });
    const rules = parseRules(yamlOf(base, corr), FILE);
    expect(rules[1]).toMatchObject({
      kind: "correlation",
      id: corr.id,
      baseRuleIds: [base.id],
      groupBy: ["client_ip"],
      timespanMs: 600_000,
      threshold: 5,
      level: "high",
    });
  });

  it.each([
    ["30s", 30_000],
    ["10m", 600_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
  ])("reads timespan %s", (timespan, ms) => {
    const base = detectionDoc(selection);
    const corr = correlationDoc({ rules: [base.id], timespan, condition: { gte: 2 } });
    expect(parseRules(yamlOf(base, corr), FILE)[1]).toMatchObject({ timespanMs: ms, groupBy: [] });
  });

  it.each(["gt", "eq", "lte", "lt"])("accepts the correlation condition %s", (operator) => {
    const base = detectionDoc(selection);
    const corr = correlationDoc({ rules: [base.id], timespan: "5m", condition: { [operator]: 3 } });
    expect(parseRules(yamlOf(base, corr), FILE)[1]).toMatchObject({ threshold: 3, operator });
  });
});

describe("parseRules: rejected rules name the file and the problem", () => {
  it.each(["title", "id", "status", "description", "author", "date", "level"])("missing %s", (field) => {
    const doc: Record<string, unknown> = detectionDoc(selection);
    delete doc[field];
    expectRejected(doc, new RegExp(`${field}: is required`));
  });

  it("names the rule title and id when known", () => {
    const doc = detectionDoc(selection, { title: "Bad level", level: "severe" });
    const error = expectRejected(doc, /level:/);
    expect(error.message).toContain('"Bad level"');
    expect(error.message).toContain(doc.id);
    expect(error.ruleId).toBe(doc.id);
  });

  it("an id that is not a UUID", () => {
    expectRejected(detectionDoc(selection, { id: "not-a-uuid" }), /id: must be a UUID/);
  });

  it("an unknown status", () => {
    expectRejected(detectionDoc(selection, { status: "production" }), /status:/);
  });

  it("a level outside the Sigma levels", () => {
    expectRejected(detectionDoc(selection, { level: "severe" }), /level:/);
  });

  it("a logsource product other than jumpcloud", () => {
    expectRejected(
      detectionDoc(selection, { logsource: { product: "windows", service: "directory_insights" } }),
      /logsource\.product: must be "jumpcloud"/,
    );
  });

  it("a logsource service other than directory_insights", () => {
    expectRejected(
      detectionDoc(selection, { logsource: { product: "jumpcloud", service: "security" } }),
      /logsource\.service: must be "directory_insights"/,
    );
  });

  it("a missing logsource", () => {
    const doc: Record<string, unknown> = detectionDoc(selection);
    delete doc.logsource;
    expectRejected(doc, /logsource: is required/);
  });

  it("a missing detection.condition", () => {
    expectRejected(detectionDoc({ selection: { event_type: "x" } }), /detection\.condition: is required/);
  });

  it("an unknown modifier", () => {
    expectRejected(
      detectionDoc({ selection: { "event_type|base64": "x" }, condition: "selection" }),
      /unsupported modifier 'base64'/,
    );
  });

  it("the re modifier's flags (re|i)", () => {
    expectRejected(detectionDoc({ sel: { "event_type|re|i": "x" }, condition: "sel" }), /modifier 'i'/);
  });

  it("conflicting modifiers", () => {
    expectRejected(
      detectionDoc({ sel: { "event_type|contains|startswith": "x" }, condition: "sel" }),
      /'contains' and 'startswith' cannot be combined/,
    );
  });

  it("an invalid regular expression, with RE2's reason", () => {
    expectRejected(
      detectionDoc({ sel: { "event_type|re": "(admin" }, condition: "sel" }),
      /field 'event_type': invalid regular expression '\(admin' \(RE2 syntax\): .*missing closing \)/,
    );
  });

  it("an invalid CIDR", () => {
    expectRejected(
      detectionDoc({ sel: { "client_ip|cidr": "10.0.0.0/99" }, condition: "sel" }),
      /invalid CIDR/,
    );
  });

  it("the legacy aggregation pipe", () => {
    expectRejected(
      detectionDoc({ selection: { success: false }, condition: "selection | count() by client_ip > 5" }),
      /aggregation pipe .*correlation rule/,
    );
  });

  it("near", () => {
    expectRejected(
      detectionDoc({ a: { event_type: "x" }, b: { event_type: "y" }, condition: "a near b" }),
      /'near' is not supported|unexpected token/,
    );
    expectRejected(detectionDoc({ a: { event_type: "x" }, condition: "near a" }), /'near' is not supported/);
  });

  it("a correlation type other than event_count", () => {
    const base = detectionDoc(selection);
    const corr = correlationDoc({
      type: "value_count",
      rules: [base.id],
      timespan: "5m",
      condition: { gte: 2 },
    });
    const error = rejection(yamlOf(base, corr));
    expect(error.message).toContain(FILE);
    expect(error.message).toMatch(/correlation\.type 'value_count' is not supported/);
  });

  it("a range correlation condition", () => {
    const base = detectionDoc(selection);
    const corr = correlationDoc({ rules: [base.id], timespan: "5m", condition: { range: "1..5" } });
    expect(rejection(yamlOf(base, corr)).message).toMatch(/correlation\.condition 'range' is not supported/);
  });

  it("an invalid correlation timespan", () => {
    const base = detectionDoc(selection);
    const corr = correlationDoc({ rules: [base.id], timespan: "10 minutes", condition: { gte: 2 } });
    expect(rejection(yamlOf(base, corr)).message).toMatch(/timespan '10 minutes' is invalid/);
  });

  it("unknown correlation keys (aliases)", () => {
    const base = detectionDoc(selection);
    const corr = correlationDoc({ rules: [base.id], timespan: "5m", condition: { gte: 2 }, aliases: {} });
    expect(rejection(yamlOf(base, corr)).message).toMatch(/aliases/);
  });

  it("keyword search (a selection that is a list of strings)", () => {
    expectRejected(
      detectionDoc({ keywords: ["admin", "root"], condition: "keywords" }),
      /keyword search is not supported: name the field/,
    );
  });

  it("keyword search (a field-less modifier)", () => {
    expectRejected(
      detectionDoc({ sel: { "|contains": "admin" }, condition: "sel" }),
      /keyword search is not supported/,
    );
  });

  it("a legacy detection timeframe", () => {
    expectRejected(
      detectionDoc({ ...selection, timeframe: "10m" }),
      /timeframe .*not supported.*correlation rule/,
    );
  });

  it("an unknown identifier in the condition, with its position", () => {
    expectRejected(
      detectionDoc({ selection: { event_type: "x" }, condition: "selection and filter" }),
      /unknown selection identifier at position 15 \(token 'filter'\)/,
    );
  });

  it("bad condition syntax, with its position", () => {
    expectRejected(
      detectionDoc({ selection: { event_type: "x" }, condition: "(selection and" }),
      /at position 15 \(token '<end>'\)/,
    );
    expectRejected(
      detectionDoc({ selection: { event_type: "x" }, condition: "selection selection" }),
      /unexpected token at position 11/,
    );
  });

  it("a quantifier pattern matching no selection", () => {
    expectRejected(
      detectionDoc({ selection: { event_type: "x" }, condition: "1 of filter*" }),
      /matches no selection/,
    );
  });

  it("a count other than 1 or all", () => {
    expectRejected(
      detectionDoc({ sel1: { event_type: "x" }, sel2: { event_type: "y" }, condition: "2 of sel*" }),
      /only '1 of' and 'all of'/,
    );
  });

  it("a nested map as a field value", () => {
    expectRejected(
      detectionDoc({ sel: { initiated_by: { email: "x" } }, condition: "sel" }),
      /dotted field path/,
    );
  });

  it("invalid YAML", () => {
    expect(rejection("title: [unclosed\n").message).toMatch(/test-rule\.yml.*invalid YAML/);
  });

  it("rule collections (action: global)", () => {
    expectRejected(detectionDoc(selection, { action: "global" }), /action/);
  });

  it("reports the document number in a multi-document file", () => {
    const good = detectionDoc(selection);
    const bad = detectionDoc(selection, { level: "severe" });
    expect(rejection(yamlOf(good, bad)).message).toMatch(/\(document 2\)/);
  });
});

describe("loadRules", () => {
  it("loads several files and resolves correlation references by id and by name", () => {
    const byId = detectionDoc(selection);
    const byName = detectionDoc(selection, { name: "failed_admin_login" });
    const corr = correlationDoc({
      rules: [byId.id, "failed_admin_login"],
      "group-by": ["client_ip"],
      timespan: "10m",
      condition: { gte: 5 },
    });
    const rules = loadRules([
      { source: "a.yml", text: yamlOf(byId) },
      { source: "b.yml", text: yamlOf(corr) },
      { source: "c.yml", text: yamlOf(byName) },
    ]);
    expect(rules.map((rule) => rule.source)).toEqual(["a.yml", "b.yml", "c.yml"]);
    expect(rules[1]).toMatchObject({ kind: "correlation", baseRuleIds: [byId.id, byName.id] });
  });

  it("rejects a duplicate id across files, naming both files", () => {
    const a = detectionDoc(selection);
    const b = detectionDoc(selection, { id: a.id });
    expect(() =>
      loadRules([
        { source: "first.yml", text: yamlOf(a) },
        { source: "second.yml", text: yamlOf(b) },
      ]),
    ).toThrow(/duplicate rule id .* in first\.yml and second\.yml/);
  });

  it("rejects a duplicate id within one file", () => {
    const a = detectionDoc(selection);
    const b = detectionDoc(selection, { id: a.id });
    expect(() => loadRules([{ source: "one.yml", text: yamlOf(a, b) }])).toThrow(RuleError);
  });

  it("rejects an unknown correlation reference", () => {
    const corr = correlationDoc({ rules: ["no_such_rule"], timespan: "10m", condition: { gte: 5 } });
    let error: unknown;
    try {
      loadRules([{ source: "corr.yml", text: yamlOf(corr) }]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RuleError);
    expect((error as RuleError).message).toMatch(/corr\.yml.*unknown rule 'no_such_rule'/);
  });

  it("rejects a correlation of a correlation", () => {
    const base = detectionDoc(selection);
    const inner = correlationDoc({ rules: [base.id], timespan: "10m", condition: { gte: 2 } });
    const outer = correlationDoc({ rules: [inner.id], timespan: "10m", condition: { gte: 2 } });
    expect(() => loadRules([{ source: "x.yml", text: yamlOf(base, inner, outer) }])).toThrow(
      /chained correlations are not supported/,
    );
  });
});
