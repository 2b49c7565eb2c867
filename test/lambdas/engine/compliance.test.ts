import { describe, expect, it } from "vitest";
import { complianceOf } from "../../../lambdas/engine/compliance.js";
import { finding } from "../../helpers/findings.js";

describe("complianceOf", () => {
  it("gives each requirement the worst status of its controls", () => {
    const entries = complianceOf([
      finding([], {
        controlId: "1.1",
        status: "PASS",
        frameworks: { cis: ["5.4"], nist: ["AC-6(1)"], soc2: ["CC6.1"] },
      }),
      finding([], {
        controlId: "1.2",
        status: "FAIL",
        frameworks: { cis: ["5.4"], nist: ["AC-6(1)"], soc2: ["CC6.2"] },
      }),
      finding([], {
        controlId: "2.1",
        status: "ERROR",
        frameworks: { cis: ["6.5"], nist: ["IA-2(1)"], soc2: ["CC6.1"] },
      }),
    ]);
    expect(entries.map((e) => `${e.framework} ${e.requirement} ${e.status} ${e.controls.join("+")}`)).toEqual(
      [
        "CIS Controls v8 5.4 FAIL 1.1+1.2",
        "CIS Controls v8 6.5 ERROR 2.1",
        "NIST SP 800-53 Rev 5 AC-6(1) FAIL 1.1+1.2",
        "NIST SP 800-53 Rev 5 IA-2(1) ERROR 2.1",
        "SOC 2 TSC CC6.1 ERROR 1.1+2.1",
        "SOC 2 TSC CC6.2 FAIL 1.2",
      ],
    );
  });

  it("a requirement whose controls are all not applicable is NOT_APPLICABLE", () => {
    const [entry] = complianceOf([
      finding([], { status: "NOT_APPLICABLE", frameworks: { cis: ["6.4"], nist: [], soc2: [] } }),
    ]);
    expect(entry?.status).toBe("NOT_APPLICABLE");
  });
});
