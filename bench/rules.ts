/**
 * Cost of rule matching on hostile events: `^(a+)+$` and four-wildcard `contains` on long
 * attacker-controlled user agents, the repository's rules on padded real-shaped events, the budget's
 * worst case, and an event nested 20,000 arrays deep. Run: `npm run bench:rules`. Prints numbers
 * (milliseconds per event: the first call, then the median of the next runs); asserts nothing.
 */
import { readdirSync, readFileSync } from "node:fs";
import { detect, loadRules, parseRules } from "../lambdas/detections/engine/index.js";
import type { CompiledRule } from "../lambdas/detections/types.js";
import type { InsightsEvent } from "../lambdas/jumpcloud/types.js";
import { RULE_CASES, type Sample } from "../test/detections/cases.js";

const RUNS = 15;

function rule(field: string, value: string): CompiledRule {
  const text = `title: Bench
id: 0b5e0000-0000-4000-8000-000000000001
status: test
description: bench
author: bench
date: 2026-12-01
level: medium
logsource: { product: jumpcloud, service: directory_insights }
detection:
  sel: { ${JSON.stringify(field)}: ${JSON.stringify(value)} }
  condition: sel
`;
  const [compiled] = parseRules(text, "bench.yml");
  if (!compiled) throw new Error("no rule");
  return compiled;
}

function agent(name: string, id = "bench"): InsightsEvent {
  return {
    id,
    event_type: "admin_login_attempt",
    service: "directory",
    timestamp: "2026-12-01T00:00:00Z",
    useragent: { name, major: "131", os: "mac os x" },
  };
}

/** Milliseconds for one `detect` over `events` divided by the number of events: first call, then median. */
function measure(rules: CompiledRule[], events: InsightsEvent[]) {
  const once = () => {
    const start = performance.now();
    const result = detect(rules, events);
    return { ms: (performance.now() - start) / events.length, result };
  };
  const first = once();
  const times = Array.from({ length: RUNS }, () => once().ms).sort((a, b) => a - b);
  return { first: first.ms, median: times[Math.floor(RUNS / 2)] ?? Number.NaN, result: first.result };
}

const rows: string[][] = [];
function row(label: string, rules: CompiledRule[], events: InsightsEvent[]): void {
  const { first, median, result } = measure(rules, events);
  const outcome =
    result.problems.length > 0
      ? `${result.problems.length} problem(s): ${result.problems[0]?.code}`
      : `${result.matches.length} match(es)`;
  rows.push([label, first.toFixed(2), median.toFixed(3), outcome]);
}

const redos = rule("useragent.name|re", "^(a+)+$");
row("^(a+)+$, 31-char user agent (no match)", [redos], [agent(`${"a".repeat(30)}!`)]);
row("^(a+)+$, 100,000-char user agent (no match)", [redos], [agent(`${"a".repeat(99_999)}!`)]);
row("^(a+)+$, 100,000-char user agent (match)", [redos], [agent("a".repeat(100_000))]);

const four = rule("useragent.name|contains", "a*b*c*d*e");
row("contains a*b*c*d*e, 200 chars (no match)", [four], [agent("a".repeat(200))]);
row("contains a*b*c*d*e, 100,000 chars (no match)", [four], [agent("a".repeat(100_000))]);
row(
  "contains a*b*c*d*e, 100,000 chars (match)",
  [four],
  [agent(`${"a".repeat(50_000)}b${"c".repeat(49_990)}d-e`)],
);
const question = rule("useragent.name|contains", "a?a?a?a?a?a?a?b");
row("contains a?a?a?a?a?a?a?b, 100,000 chars", [question], [agent("a".repeat(100_000))]);

// The budget's worst case: a large RE2 program whose DFA gives up, on a value that just fits the budget.
const heavy = rule("useragent.name|re", "(?:(?:a|b){0,20}a){10}c");
let seed = 7;
const coin = () => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
  return seed % 2 === 0 ? "a" : "b";
};
const randomAb = (n: number) => Array.from({ length: n }, coin).join("");
row("program size 413, 4,800 random a/b + c (within budget)", [heavy], [agent(`${randomAb(4_800)}c`)]);
row("program size 413, 100,000 chars (over budget: reported)", [heavy], [agent(`${randomAb(100_000)}c`)]);

const folder = new URL("../detections/", import.meta.url);
const repoRules = loadRules(
  readdirSync(folder)
    .filter((name) => name.endsWith(".yml"))
    .map((source) => ({ source, text: readFileSync(new URL(source, folder), "utf8") })),
);
const samples = (sample: Sample): InsightsEvent[] => (Array.isArray(sample) ? sample : [sample]);
const real = Object.values(RULE_CASES).flatMap((cases) =>
  [...cases.positive, ...cases.negative].flatMap(samples),
);
row(`repository rules (${repoRules.length}), ${real.length} real-shaped events`, repoRules, real);
const padded = real.map((event) => ({
  ...event,
  useragent: { name: "a".repeat(100_000) },
  initiated_by: { email: `${"b".repeat(100_000)}@example.com` },
}));
row("same, user agent and initiator padded to 100,000 chars", repoRules, padded);

let nested: unknown = "x";
for (let i = 0; i < 20_000; i++) nested = [nested];
row("event nested 20,000 arrays deep (refused)", repoRules, [
  {
    id: "deep",
    event_type: "admin_login_attempt",
    service: "directory",
    timestamp: "2026-12-01T00:00:00Z",
    extra: nested,
  },
]);

const widths = [0, 1, 2, 3].map((i) =>
  Math.max(...[["case", "first ms", "median ms", "outcome"], ...rows].map((r) => (r[i] ?? "").length)),
);
const line = (r: string[]) =>
  r
    .map((cell, i) => (i === 1 || i === 2 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
    .join("  ");
console.log(line(["case", "first ms", "median ms", "outcome"]));
for (const r of rows) console.log(line(r));
console.log(
  "\nms per event; a rule's budget is 2,000,000 work units, an event's 20,000,000 (engine/budget.ts).",
);
