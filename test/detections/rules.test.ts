/**
 * The Sigma rules of `detections/`: every file loads in the engine, carries complete Sigma metadata, and
 * fires on its positive samples and only on them (cases.ts). Correlations are checked with bursts and near
 * misses. Finally, the demo preset's last 24 hours trigger the rules the demo is meant to show.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { detect, type EventRuleExtras, loadRules } from "../../lambdas/detections/engine/index.js";
import type { CompiledRule } from "../../lambdas/detections/types.js";
import type { InsightsEvent } from "../../lambdas/jumpcloud/types.js";
import { demoScenario } from "../../sim/presets/demo.js";
import { RULE_CASES, type Sample } from "./cases.js";

const DETECTIONS = new URL("../../detections/", import.meta.url);
const DOCS_URL = "https://docs.jumpcloud.com/api/insights/directory/1.0/index.html";
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const LEVELS = ["informational", "low", "medium", "high", "critical"];
const STATUSES = ["stable", "test", "experimental"];
/** ATT&CK tactics in Sigma's tag spelling. */
const TACTICS = [
  "reconnaissance",
  "resource-development",
  "initial-access",
  "execution",
  "persistence",
  "privilege-escalation",
  "defense-evasion",
  "credential-access",
  "discovery",
  "lateral-movement",
  "collection",
  "command-and-control",
  "exfiltration",
  "impact",
];

type Raw = Record<string, unknown>;
interface RawRule {
  file: string;
  doc: Raw;
}

/** Rule files, named as the service names them (bare file names, see lambdas/detections/rule-files.ts). */
const files = readdirSync(DETECTIONS)
  .filter((name) => !name.startsWith("."))
  .sort();
const texts = files.map((file) => ({
  source: file,
  text: readFileSync(new URL(file, DETECTIONS), "utf8"),
}));
const rawRules: RawRule[] = texts.flatMap(({ source, text }) =>
  parseAllDocuments(text).flatMap((doc) => {
    if (!("toJS" in doc)) return [];
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join("; ")}`);
    return [{ file: source, doc: doc.toJS() as Raw }];
  }),
);
const isCorrelation = (rule: RawRule) => rule.doc.correlation !== undefined;
const titleOf = (rule: RawRule) => String(rule.doc.title);
const correlationOf = (rule: RawRule) => rule.doc.correlation as Raw;

/** Base rules (by id) whose matches are only counted, not reported: referenced by a correlation without `generate: true`. */
const suppressedIds = new Set(
  rawRules.filter(isCorrelation).flatMap((corr) => {
    if (correlationOf(corr).generate === true) return [];
    return (correlationOf(corr).rules as string[]).map((ref) => {
      const base = rawRules.find((r) => r.doc.name === ref || r.doc.id === ref);
      return String(base?.doc.id);
    });
  }),
);

let compiled: CompiledRule[] | undefined;
/** The whole rule set, compiled once by the engine. */
function allRules(): CompiledRule[] {
  compiled ??= loadRules(texts);
  return compiled;
}
function compiledByTitle(title: string): CompiledRule {
  const rule = allRules().find((r) => r.title === title);
  if (!rule) throw new Error(`rule "${title}" was not compiled`);
  return rule;
}
/** Events in time order, as Directory Insights returns them. */
const chronological = (events: InsightsEvent[]) =>
  [...events].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
const matchesOf = (rule: CompiledRule, events: InsightsEvent[]) =>
  detect(allRules(), chronological(events)).matches.filter((m) => m.rule.id === rule.id);

describe("detections/ files", () => {
  it("holds the rule set (one file per rule, ~15+ files)", () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)("%s is a kebab-case .yml with one base rule and only its own correlations", (file) => {
    expect(file).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*\.yml$/);
    const inFile = rawRules.filter((r) => r.file === file);
    const bases = inFile.filter((r) => !isCorrelation(r));
    expect(bases).toHaveLength(1);
    const base = bases[0] as RawRule;
    for (const corr of inFile.filter(isCorrelation)) {
      expect(correlationOf(corr).rules).toEqual([base.doc.name ?? base.doc.id]);
    }
  });

  it("uses no construct the engine rejects (count pipes, timeframe, keywords, near)", () => {
    for (const { file, doc } of rawRules.filter((r) => !isCorrelation(r))) {
      const detection = doc.detection as Raw;
      expect(detection.timeframe, file).toBeUndefined();
      expect(detection.keywords, file).toBeUndefined();
      expect(String(detection.condition), file).not.toMatch(/\||\bnear\b|count\(/);
    }
  });
});

describe("rule metadata", () => {
  it.each(rawRules.map((r) => [titleOf(r), r] as const))(
    "%s: complete Sigma metadata",
    (_, { file, doc }) => {
      expect(typeof doc.title, file).toBe("string");
      expect(String(doc.title).length).toBeLessThanOrEqual(110);
      expect(doc.id).toMatch(UUID_V4);
      expect(STATUSES).toContain(doc.status);
      expect(typeof doc.description).toBe("string");
      expect(String(doc.description).length).toBeGreaterThan(40);
      expect(doc.references).toContain(DOCS_URL);
      expect((doc.references as string[]).some((ref) => ref.startsWith("JumpCloud Hardening Guide, "))).toBe(
        true,
      );
      expect(doc.author).toBe("jumpcloud-hardening-auditor");
      expect(doc.date).toBe("2026-11-28");
      expect(LEVELS).toContain(doc.level);
      expect((doc.falsepositives as string[]).length).toBeGreaterThan(0);
      const tags = doc.tags as string[];
      expect(tags.length).toBeGreaterThan(0);
      for (const tag of tags) {
        expect(tag).toMatch(/^attack\.(t\d{4}(\.\d{3})?|[a-z-]+)$/);
        if (!/^attack\.t\d/.test(tag)) expect(TACTICS).toContain(tag.slice("attack.".length));
      }
      expect(tags.some((tag) => /^attack\.t\d{4}/.test(tag))).toBe(true);
      expect((doc.fields as string[]).length).toBeGreaterThan(0);

      if (doc.correlation === undefined) {
        expect(doc.logsource).toEqual({ product: "jumpcloud", service: "directory_insights" });
        expect(typeof (doc.detection as Raw).condition).toBe("string");
      } else {
        const correlation = doc.correlation as Raw;
        expect(correlation.type).toBe("event_count");
        expect(correlation["group-by"]).toEqual(["client_ip"]);
        expect(correlation.timespan).toMatch(/^\d+[smhd]$/);
        expect(typeof (correlation.condition as Raw).gte).toBe("number");
      }
    },
  );

  it("ids, titles and names are unique", () => {
    const ids = rawRules.map((r) => r.doc.id);
    const titles = rawRules.map(titleOf);
    const names = rawRules.flatMap((r) => (r.doc.name === undefined ? [] : [r.doc.name]));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(titles).size).toBe(titles.length);
    expect(new Set(names).size).toBe(names.length);
  });

  it("the guide's three code-pack rules keep the guide's fields (1.1 adds `mfa`, present on real events)", () => {
    const fieldsOf = (title: string) => rawRules.find((r) => titleOf(r) === title)?.doc.fields;
    const common = ["timestamp", "event_type", "initiated_by.email", "client_ip"];
    expect(fieldsOf("JumpCloud Failed Admin Portal Login")).toEqual([
      ...common,
      "success",
      "mfa_meta.type",
      "mfa",
    ]);
    expect(fieldsOf("JumpCloud Organization Settings Updated")).toEqual([...common, "changes"]);
    expect(fieldsOf("JumpCloud Administrator Created or Updated")).toEqual([...common, "changes"]);
  });
});

describe("the engine loads every rule", () => {
  it("compiles one rule per YAML document, with the file's metadata", () => {
    const rules = allRules();
    expect(rules).toHaveLength(rawRules.length);
    for (const { file, doc } of rawRules) {
      const rule = rules.find((r) => r.id === doc.id);
      expect(rule, file).toBeDefined();
      expect(rule).toMatchObject({
        title: doc.title,
        level: doc.level,
        status: doc.status,
        tags: doc.tags,
        references: doc.references,
        falsepositives: doc.falsepositives,
        source: file,
      });
      expect(rule?.kind).toBe(doc.correlation === undefined ? "event" : "correlation");
    }
  });

  it("resolves each correlation to its base rule, grouping and threshold", () => {
    for (const corr of rawRules.filter(isCorrelation)) {
      const rule = compiledByTitle(titleOf(corr));
      const correlation = correlationOf(corr);
      const base = rawRules.find((r) => r.file === corr.file && !isCorrelation(r)) as RawRule;
      expect(rule).toMatchObject({
        kind: "correlation",
        baseRuleIds: [base.doc.id],
        groupBy: ["client_ip"],
        timespanMs: 10 * 60_000,
        threshold: (correlation.condition as Raw).gte,
      });
    }
  });
});

describe("real event shapes", () => {
  /** Field paths a detection names in its selections (modifiers stripped). */
  const selectionFields = (doc: Raw): string[] =>
    Object.entries(doc.detection as Raw)
      .filter(([key]) => key !== "condition")
      .flatMap(([, selection]) => [selection].flat() as Raw[])
      .flatMap((map) => Object.keys(map).map((key) => key.split("|")[0] as string));

  it("no rule about admin logins selects on resource or mfa_meta (real admin_login_attempt often lacks both)", () => {
    const adminLoginRules = rawRules.filter(
      (r) => !isCorrelation(r) && JSON.stringify(r.doc.detection).includes("admin_login_attempt"),
    );
    expect(adminLoginRules.length).toBeGreaterThan(0);
    for (const { file, doc } of adminLoginRules) {
      for (const field of selectionFields(doc)) expect(field, file).not.toMatch(/^(resource|mfa_meta)(\.|$)/);
    }
  });

  it("the failed-authentication rule names the real RADIUS type and the SSO outcome field", () => {
    const failed = rawRules.find((r) => titleOf(r) === "JumpCloud Failed User Authentication") as RawRule;
    const text = JSON.stringify(failed.doc.detection);
    expect(text).toContain("radius_auth_attempt");
    expect(selectionFields(failed.doc)).toContain("sso_token_success");
  });
});

describe("rules over changes[]", () => {
  it("the README's SIEM section names exactly the rules judged one change at a time", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("Keep the per-change semantics of the rules that name");
    expect(start).toBeGreaterThanOrEqual(0);
    const listed = readme
      .slice(start, readme.indexOf(")", start))
      .match(/`[a-z0-9-]+`/g)
      ?.map((name) => `${name.slice(1, -1)}.yml`);
    const perChange = allRules()
      .filter((rule) => (rule as EventRuleExtras).perChange === true)
      .map((rule) => rule.source);
    expect(listed).toEqual([...new Set(perChange)].sort());
  });
});

describe("positive and negative samples", () => {
  const titles = rawRules.map(titleOf);

  it("every rule has at least one positive and one negative sample, and every sample names a rule", () => {
    for (const title of titles) {
      expect(RULE_CASES[title]?.positive.length ?? 0, `positive samples of "${title}"`).toBeGreaterThan(0);
      expect(RULE_CASES[title]?.negative.length ?? 0, `negative samples of "${title}"`).toBeGreaterThan(0);
    }
    expect(titles).toEqual(expect.arrayContaining(Object.keys(RULE_CASES)));
  });

  describe.each(titles.filter((title) => RULE_CASES[title]))("%s", (title) => {
    const cases = RULE_CASES[title] as { positive: Sample[]; negative: Sample[] };
    const single = (sample: Sample): InsightsEvent => {
      if (Array.isArray(sample)) throw new Error(`"${title}" is a per-event rule: give single events`);
      return sample;
    };
    const batch = (sample: Sample): InsightsEvent[] => {
      if (!Array.isArray(sample)) throw new Error(`"${title}" is a correlation: give batches of events`);
      return sample;
    };

    it.each(cases.positive.map((sample, i) => [i + 1, sample] as const))(
      "positive #%i matches",
      (_, sample) => {
        const rule = compiledByTitle(title);
        if (rule.kind === "event") {
          const event = single(sample);
          expect(rule.matches(event)).toBe(true);
          const found = matchesOf(rule, [event]);
          if (suppressedIds.has(rule.id)) {
            // Only counted by its correlation: never reported on its own.
            expect(found).toEqual([]);
          } else {
            expect(found).toHaveLength(1);
            expect(found[0]?.events).toEqual([event]);
          }
        } else {
          const events = batch(sample);
          const found = matchesOf(rule, events);
          expect(found).toHaveLength(1);
          const ip = events[0]?.client_ip as string;
          expect(found[0]?.group).toEqual({ client_ip: ip });
          expect(found[0]?.events.length).toBeGreaterThanOrEqual(rule.threshold);
          for (const event of found[0]?.events ?? []) expect(event.client_ip).toBe(ip);
        }
      },
    );

    it.each(cases.negative.map((sample, i) => [i + 1, sample] as const))(
      "negative #%i does not match",
      (_, sample) => {
        const rule = compiledByTitle(title);
        if (rule.kind === "event") {
          const event = single(sample);
          expect(rule.matches(event)).toBe(false);
          expect(matchesOf(rule, [event])).toEqual([]);
        } else {
          expect(matchesOf(rule, batch(sample))).toEqual([]);
        }
      },
    );
  });
});

describe("the demo preset", () => {
  const now = new Date("2026-11-28T12:00:00.000Z");
  const since = now.getTime() - 24 * 3_600_000;
  const events = (demoScenario(now).organizations[0]?.events ?? [])
    .map((doc) => doc as unknown as InsightsEvent)
    .filter((event) => Date.parse(event.timestamp) >= since && Date.parse(event.timestamp) <= now.getTime());

  it("triggers the rules the demo is meant to show, over its last 24 hours", () => {
    const matched = new Set(detect(allRules(), chronological(events)).matches.map((m) => m.rule.title));
    expect([...matched]).toEqual(
      expect.arrayContaining([
        "JumpCloud Admin Portal Login Brute Force From One Address",
        "JumpCloud Failed Admin Portal Login",
        "JumpCloud Administrator MFA Disabled",
        "JumpCloud Conditional Access Policy Created or Modified",
        "JumpCloud IP List Modified or Deleted",
        "JumpCloud IP List Made Very Broad",
        "JumpCloud Organization Settings Updated",
        "JumpCloud New Device Enrolled",
        "JumpCloud Device Policy Created or Updated",
      ]),
    );
    // Three mistyped passwords hours apart are not a brute force; Directory Insights stays on.
    expect(matched).not.toContain("JumpCloud User Authentication Brute Force From One Address");
    expect(matched).not.toContain("JumpCloud Directory Insights Disabled");
  });

  it("counts its failed RADIUS and SSO logins as failed authentications, below the burst threshold", () => {
    const failed = compiledByTitle("JumpCloud Failed User Authentication");
    if (failed.kind !== "event") throw new Error("expected an event rule");
    const types = events.filter((event) => failed.matches(event)).map((event) => event.event_type);
    expect(types).toEqual(expect.arrayContaining(["user_login_attempt", "radius_auth_attempt", "sso_auth"]));
    // Real SSO events carry no `success`: they count through `sso_token_success: false`.
    const sso = events.filter((event) => event.event_type === "sso_auth" && failed.matches(event));
    for (const event of sso) {
      expect(event.success).toBeUndefined();
      expect(event.sso_token_success).toBe(false);
    }
  });

  it("reports the failed-admin-login burst from 192.0.2.66", () => {
    const burst = detect(allRules(), chronological(events)).matches.filter(
      (m) => m.rule.title === "JumpCloud Admin Portal Login Brute Force From One Address",
    );
    expect(burst.map((m) => m.group)).toEqual([{ client_ip: "192.0.2.66" }]);
    expect(burst[0]?.events).toHaveLength(6);
  });
});
