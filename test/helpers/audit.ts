/** Test helpers for controls: a fresh compliant simulator per test, and a one-control audit over it. */
import { afterEach, beforeEach } from "vitest";
import type { ControlFinding } from "../../lambdas/engine/findings.js";
import { type AuditOptions, runAudit } from "../../lambdas/engine/run.js";
import { type RunningSimulator, type SimulatorOptions, startSimulator } from "../../sim/index.js";
import type { OrgData } from "../../sim/scenario.js";
import { simClient } from "./simulator.js";

/** A fixed clock for control tests, so windows and expiries are deterministic. */
export const NOW = new Date("2026-11-28T12:00:00.000Z");

/** Starts a fresh simulator (compliant by default) before each test and stops it after. */
export function useFreshSimulator(options: SimulatorOptions = {}): {
  sim: () => RunningSimulator;
  org: () => OrgData;
} {
  let current: RunningSimulator | undefined;
  beforeEach(async () => {
    current = await startSimulator({ scenario: "compliant", now: () => NOW, ...options });
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const sim = () => {
    if (!current) throw new Error("simulator not started");
    return current;
  };
  return { sim, org: () => sim().scenario.organizations[0] as OrgData };
}

/** Audits one control against the simulator, through the real client and engine. */
export async function auditControl(
  sim: RunningSimulator,
  controlId: string,
  options: Omit<AuditOptions, "controls"> = {},
): Promise<ControlFinding> {
  const report = await runAudit(
    { client: simClient(sim, { retry: { maxAttempts: 2 } }), clock: () => NOW },
    { ...options, controls: [controlId] },
  );
  const [finding] = report.controls;
  if (!finding) throw new Error(`control ${controlId} produced no finding`);
  return finding;
}

/** The results of a finding that are not PASS, as `resourceName: check` strings. */
export function failing(finding: ControlFinding, status: "FAIL" | "MANUAL" | "MUTED" = "FAIL"): string[] {
  return finding.results.filter((r) => r.status === status).map((r) => `${r.resourceName}: ${r.check}`);
}

/** A 24-hex id from a number, for generated fixtures. */
export function hexId(n: number, prefix = "5fe0"): string {
  return prefix + n.toString(16).padStart(24 - prefix.length, "0");
}

/** Audits one control on a fresh simulator running a preset (e.g. the demo), then stops it. */
export async function auditPreset(
  scenario: string,
  controlId: string,
  options: Omit<AuditOptions, "controls"> = {},
): Promise<ControlFinding> {
  const sim = await startSimulator({ scenario, now: () => NOW });
  try {
    return await auditControl(sim, controlId, options);
  } finally {
    await sim.close();
  }
}
