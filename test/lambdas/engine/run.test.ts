import { describe, expect, it } from "vitest";
import { EngineError } from "../../../lambdas/engine/errors.js";
import { runAudit, selectControls } from "../../../lambdas/engine/run.js";
import { DEFAULT_SIM_API_KEY, startSimulator } from "../../../sim/index.js";
import { hardenedOrg } from "../../../sim/presets/compliant.js";
import { NOW, useFreshSimulator } from "../../helpers/audit.js";
import { findingSchemaErrors } from "../../helpers/schema.js";
import { recordingLogger, simClient } from "../../helpers/simulator.js";

const { sim } = useFreshSimulator();
const audit = (options = {}) =>
  runAudit({ client: simClient(sim(), { retry: { maxAttempts: 1 } }), clock: () => NOW }, options);

describe("selectControls", () => {
  it("levels are cumulative", () => {
    expect(selectControls({ level: "L1" }).map((c) => c.id)).toEqual([
      "1.1",
      "1.2",
      "2.1",
      "4.1",
      "5.1",
      "5.2",
    ]);
    expect(selectControls({ level: "L2" })).toHaveLength(10);
    expect(selectControls({ controls: ["2.2", "1.1"], level: "L1" }).map((c) => c.id)).toEqual(["1.1"]);
  });

  it("names unknown control ids", () => {
    expect(() => selectControls({ controls: ["1.1", "7.7"] })).toThrow(
      new EngineError(
        "UNKNOWN_CONTROL",
        "Unknown control id 7.7 (known: 1.1, 1.2, 2.1, 2.2, 3.1, 3.2, 4.1, 4.2, 5.1, 5.2)",
      ),
    );
  });
});

describe("runAudit", () => {
  it("passes every control on the compliant organization, and the report fits the schema", async () => {
    const report = await audit();
    expect(report.controls.map((c) => `${c.controlId} ${c.status}`)).toEqual([
      "1.1 PASS",
      "1.2 PASS",
      "2.1 PASS",
      "2.2 PASS",
      "3.1 PASS",
      "3.2 PASS",
      "4.1 PASS",
      "4.2 PASS",
      "5.1 PASS",
      "5.2 PASS",
    ]);
    expect(findingSchemaErrors(report)).toEqual([]);
    expect(report.organizationName).toBe("Acme Secure");
    expect(report.compliance.every((entry) => entry.status === "PASS")).toBe(true);
  });

  it("collects each collection once per run, however many controls read it", async () => {
    await audit();
    const gets = (path: string) => sim().requests.filter((r) => r.path === path).length;
    expect(gets("/api/users")).toBe(1); // 1.1 and 1.2
    expect(gets("/api/v2/authn/policies")).toBe(1); // 2.1, 3.1 and 3.2
    expect(gets("/api/systems")).toBe(1); // 2.2 and 4.1
    expect(gets("/api/organizations/5f0000000000000000000001")).toBe(1);
    expect(sim().writes()).toEqual([]);
  });

  it("a collector failure makes only the controls that need that data ERROR", async () => {
    sim().faults.add({ kind: "status", status: 500, path: "/api/systems" });
    const logger = recordingLogger();
    const report = await runAudit(
      { client: simClient(sim(), { retry: { maxAttempts: 1 } }), clock: () => NOW, logger },
      {},
    );
    const errors = report.controls.filter((c) => c.status === "ERROR").map((c) => c.controlId);
    expect(errors).toEqual(["2.2", "4.1"]);
    expect(report.controls.filter((c) => c.status === "PASS")).toHaveLength(8);
    expect(logger.lines.find((l) => l.message === "Dataset unavailable")?.attributes).toMatchObject({
      dataset: "systems",
      code: "SERVER_ERROR",
      status: 500,
    });
  });

  it("marks plan-gated controls NOT_APPLICABLE when the plan is declared; Directory Insights is on every plan", async () => {
    const report = await audit({ plan: "core" });
    expect(report.controls.filter((c) => c.status === "NOT_APPLICABLE").map((c) => c.controlId)).toEqual([
      "3.1",
      "3.2",
    ]);
    // Basic Directory Insights exists on every plan (notes §12.4): 5.1 and 5.2 are evaluated.
    expect(
      report.controls.filter((c) => ["5.1", "5.2"].includes(c.controlId)).map((c) => c.status),
    ).not.toContain("NOT_APPLICABLE");
    expect(report.controls.find((c) => c.controlId === "3.1")?.summary).toBe(
      "Conditional Access is not part of the Core plan (it needs Platform or Platform Plus).",
    );
  });

  it("rejects an unknown threshold before sending anything", async () => {
    await expect(audit({ thresholds: { "1.2": { nope: 1 } } })).rejects.toThrow(
      /Control 1.2 has no threshold "nope"/,
    );
    await expect(audit({ thresholds: { "8.1": {} } })).rejects.toThrow(/Unknown control id 8.1/);
    expect(sim().requests).toEqual([]);
  });
});

describe("organization resolution", () => {
  it("an MSP key must name the organization", async () => {
    const now = NOW;
    const msp = await startSimulator({
      scenario: {
        name: "msp",
        plan: "platform",
        apiKey: DEFAULT_SIM_API_KEY,
        organizations: [
          hardenedOrg(now, { name: "Client A", orgId: "5f00000000000000000000a1", users: 3, systems: 3 }),
          hardenedOrg(now, { name: "Client B", orgId: "5f00000000000000000000a2", users: 3, systems: 3 }),
        ],
      },
    });
    try {
      await expect(
        runAudit({ client: simClient(msp), clock: () => NOW }, { controls: ["1.1"] }),
      ).rejects.toThrow(
        "The API key sees 2 organizations; choose one with --org-id (5f00000000000000000000a1, 5f00000000000000000000a2)",
      );
      const report = await runAudit(
        { client: simClient(msp, { orgId: "5f00000000000000000000a2" }), clock: () => NOW },
        { controls: ["1.1"] },
      );
      expect(report.organizationName).toBe("Client B");
      expect(msp.requests.filter((r) => r.path === "/api/users").map((r) => r.orgId)).toEqual([
        "5f00000000000000000000a2",
      ]);
    } finally {
      await msp.close();
    }
  });
});
