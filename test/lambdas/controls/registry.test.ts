import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONTROLS, controlById } from "../../../lambdas/controls/registry.js";

const GUIDE_SECTIONS = ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2"];
const controlsDir = new URL("../../../lambdas/controls/", import.meta.url);
const controlFiles = readdirSync(controlsDir).filter(
  (f) => f.endsWith(".ts") && !["types.ts", "registry.ts", "values.ts"].includes(f),
);

describe("control registry", () => {
  it("has every guide section 1.1–5.2, once, in guide order", () => {
    expect(CONTROLS.map((c) => c.id)).toEqual(GUIDE_SECTIONS);
  });

  it("lists every control file (one control = one file)", () => {
    expect(controlFiles).toHaveLength(CONTROLS.length);
  });

  it.each(CONTROLS.map((c) => [c.id, c] as const))("%s has complete metadata", (_id, c) => {
    expect(c.title.length).toBeGreaterThan(5);
    expect(c.section.length).toBeGreaterThan(3);
    expect(["L1", "L2", "L3"]).toContain(c.level);
    expect(["critical", "high", "medium", "low"]).toContain(c.severity);
    expect(c.rationale.length).toBeGreaterThan(40);
    expect(c.manualSteps.length).toBeGreaterThan(0);
    expect(c.checks.length).toBeGreaterThan(0);
    expect(c.needs.length).toBeGreaterThan(0);
    expect(c.plans.availability.length).toBeGreaterThan(3);
    expect(["yes", "opt-in", "no"]).toContain(c.remediation.automated);
    expect(c.remediation.description).not.toMatch(/TODO/);
    const mapped = c.mappings.cis.length + c.mappings.nist.length + c.mappings.soc2.length;
    // The guide maps every control but 5.2; an unmapped control must say why.
    if (mapped === 0) expect(c.metadataNote).toMatch(/no framework mappings/);
    for (const [name, t] of Object.entries(c.thresholds)) {
      expect(t.source, `${c.id}.${name} source`).toMatch(/\S{3,}/);
      expect(t.description, `${c.id}.${name} description`).toMatch(/\S{3,}/);
    }
  });

  it("maps controls exactly as the guide's tables and section 6 do", () => {
    const mapping = (id: string) => controlById(id)?.mappings;
    expect(mapping("1.1")).toEqual({ cis: ["5.4"], nist: ["AC-6(1)"], soc2: ["CC6.1"] });
    expect(mapping("1.2")).toEqual({ cis: ["5.4"], nist: ["AC-6(1)"], soc2: ["CC6.2"] });
    expect(mapping("2.1")).toEqual({ cis: ["6.5"], nist: ["IA-2(1)"], soc2: ["CC6.1"] });
    expect(mapping("3.1")).toEqual({ cis: ["6.4"], nist: ["AC-2(11)"], soc2: ["CC6.6"] });
    expect(mapping("4.1")).toEqual({ cis: ["4.1"], nist: ["CM-7"], soc2: [] });
    expect(mapping("4.2")).toEqual({ cis: ["3.10"], nist: ["SC-8"], soc2: [] });
    expect(mapping("5.1")).toEqual({ cis: ["8.2"], nist: ["AU-2", "AU-6"], soc2: ["CC7.2"] });
  });

  it("gates Conditional Access and Directory Insights controls on the plan (Appendix A)", () => {
    expect(CONTROLS.filter((c) => c.plans.requires === "conditionalAccess").map((c) => c.id)).toEqual([
      "3.1",
      "3.2",
    ]);
    expect(CONTROLS.filter((c) => c.plans.requires === "directoryInsights").map((c) => c.id)).toEqual([
      "5.1",
      "5.2",
    ]);
  });

  it.each([...controlFiles, "values.ts"])(
    "%s is pure: no HTTP client, AWS SDK, environment, file system or wall clock",
    (file) => {
      const source = readFileSync(new URL(file, controlsDir), "utf8");
      expect(source).not.toMatch(
        /from "got"|@aws-sdk|process\.env|node:fs|node:http|Date\.now\(|new Date\(\)|jumpcloud\/client|jumpcloud\/resources/,
      );
    },
  );
});
