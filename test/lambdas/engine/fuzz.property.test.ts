/**
 * Fuzzing the whole read path: each preset's data is mutated field by field (type swaps, nulls, absent
 * fields, huge and empty values) and audited through the real client, collectors, controls and engine
 * over HTTP. Properties:
 * - no control throws as a whole (no AUDIT_FAILED), every finding fits the published schema;
 * - a mutation never turns a verdict PASS that was not PASS before (per control and per resource/check):
 *   a value the auditor could not judge may give ERROR or MANUAL, never a PASS.
 * Events are left out of the second property: an event whose fields are mangled legitimately stops
 * counting (Directory Insights filters it out), which can lower a count.
 * The seed is fixed so CI is deterministic; set FUZZ_SEED to explore other cases.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControlFinding, RunReport } from "../../../lambdas/engine/findings.js";
import { runAudit } from "../../../lambdas/engine/run.js";
import { type RunningSimulator, startSimulator } from "../../../sim/index.js";
import type { Doc } from "../../../sim/query.js";
import type { OrgData } from "../../../sim/scenario.js";
import { NOW } from "../../helpers/audit.js";
import { findingSchemaErrors } from "../../helpers/schema.js";
import { simClient } from "../../helpers/simulator.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const COLLECTIONS = [
  "organization",
  "admins",
  "systemUsers",
  "systems",
  "radiusServers",
  "authnPolicies",
  "ipLists",
  "policies",
  "policyStatuses",
  "policyTemplates",
  "ldapServers",
  "events",
] as const;
type Collection = (typeof COLLECTIONS)[number];

/** Ids and keys that tie records together; mangling them changes which record is which, not its value. */
const IDENTITY = new Set(["_id", "id", "organization", "orgId"]);

const HUGE = "Ω".repeat(70_000);
/**
 * Replacement values. A value of the old value's own type (an empty list, a huge string, 42 for a
 * number) is a legitimate change of data and can change a verdict either way; only a change of type,
 * or a value going absent, must never produce a PASS. Replacements are chosen so the tolerant reader
 * cannot coerce them back (no "true" strings for booleans, no numeric strings for numbers).
 */
const MUTATIONS: Record<string, () => unknown> = {
  absent: () => undefined,
  null: () => null,
  number: () => 42,
  boolean: () => true,
  string: () => "yes",
  list: () => ["x"],
  object: () => ({ value: 1 }),
  empty: () => "",
  huge: () => HUGE,
};
type MutationName = keyof typeof MUTATIONS;

/** Every mutable path (up to three levels) of a record, identity fields excluded. */
function pathsOf(value: unknown, prefix: string[] = [], depth = 0): string[][] {
  if (depth >= 3 || typeof value !== "object" || value === null) return [];
  const entries = Array.isArray(value)
    ? value.slice(0, 3).map((v, i) => [String(i), v] as const)
    : Object.entries(value);
  return entries.flatMap(([key, child]) =>
    IDENTITY.has(key) && depth === 0
      ? []
      : [[...prefix, key], ...pathsOf(child, [...prefix, key], depth + 1)],
  );
}

function recordsOf(org: OrgData, collection: Collection): Doc[] {
  return collection === "organization" ? [org.organization] : org[collection];
}

function typeOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "list" : typeof value;
}

/** Applies a mutation; true when it changed the value's type (or made it absent), not just its value. */
function mutate(record: Doc, path: string[], mutation: MutationName): boolean {
  let parent: Record<string, unknown> = record;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const key = path.at(-1) as string;
  const old = parent[key];
  const next = MUTATIONS[mutation]?.();
  if (next === undefined) delete parent[key];
  else parent[key] = next;
  return mutation !== "empty" && mutation !== "huge" && typeOf(old) !== typeOf(next);
}

const snapshot = (org: OrgData): string => JSON.stringify(org);

function restore(org: OrgData, saved: string): void {
  Object.assign(org, JSON.parse(saved) as OrgData);
}

const PASS_LIKE = new Set(["PASS", "NOT_APPLICABLE"]);
const keyOf = (controlId: string, r: ControlFinding["results"][number]) =>
  `${controlId}|${r.resourceType}|${r.resourceId}|${r.check}`;

function verdicts(report: RunReport): { controls: Map<string, string>; results: Map<string, string> } {
  const controls = new Map(report.controls.map((f) => [f.controlId, f.status]));
  const results = new Map(
    report.controls.flatMap((f) => f.results.map((r) => [keyOf(f.controlId, r), r.status] as const)),
  );
  return { controls, results };
}

async function audit(sim: RunningSimulator): Promise<RunReport> {
  return runAudit(
    { client: simClient(sim, { retry: { maxAttempts: 1 } }), clock: () => NOW },
    { maxPassResults: 100_000 },
  );
}

describe.each([
  ["demo", 40],
  ["compliant", 25],
  ["legacy", 15],
  ["free", 10],
] as const)("fuzzing the %s preset", (preset, runs) => {
  let sim: RunningSimulator;
  let org: OrgData;
  let pristine: string;
  let baseline: ReturnType<typeof verdicts>;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: preset, now: () => NOW });
    org = sim.scenario.organizations[0] as OrgData;
    pristine = snapshot(org);
    baseline = verdicts(await audit(sim));
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("no control throws, findings fit the schema, and no mutation turns a non-PASS verdict into PASS", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...COLLECTIONS),
        fc.nat(),
        fc.nat(),
        fc.constantFrom(...(Object.keys(MUTATIONS) as MutationName[])),
        async (collection, recordIndex, pathIndex, mutation) => {
          restore(org, pristine);
          const records = recordsOf(org, collection);
          if (records.length === 0) return;
          const record = records[recordIndex % records.length] as Doc;
          const paths = pathsOf(record);
          if (paths.length === 0) return;
          const path = paths[pathIndex % paths.length] as string[];
          const typeChanged = mutate(record, path, mutation);
          const where = `${collection}[${recordIndex % records.length}].${path.join(".")} ← ${mutation}`;

          const report = await audit(sim);
          expect(findingSchemaErrors(report), where).toEqual([]);
          for (const finding of report.controls) {
            expect(
              finding.error?.code,
              `${finding.controlId} threw after ${where}: ${finding.summary}`,
            ).not.toBe("AUDIT_FAILED");
          }
          if (collection === "events" || !typeChanged) return;
          const after = verdicts(report);
          for (const [controlId, before] of baseline.controls) {
            if (PASS_LIKE.has(before)) continue;
            expect(
              PASS_LIKE.has(after.controls.get(controlId) ?? ""),
              `${controlId} ${before} → ${after.controls.get(controlId)} after ${where}`,
            ).toBe(false);
          }
          for (const [key, before] of baseline.results) {
            if (before === "PASS") continue;
            expect(after.results.get(key), `${key} ${before} → PASS after ${where}`).not.toBe("PASS");
          }
        },
      ),
      { numRuns: Math.round(runs * SCALE), seed: SEED + preset.length, endOnFailure: true },
    );
    restore(org, pristine);
  });
});
