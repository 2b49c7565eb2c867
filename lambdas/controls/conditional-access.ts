/** 3.1 Configure Conditional Access Policies. */
import { defineControl } from "./types.js";

/** 3.1 */
export const conditionalAccess = defineControl({
  id: "3.1",
  title: "Configure Conditional Access Policies",
  section: "Conditional Access",
  level: "L2",
  severity: "high",
  mappings: { cis: ["6.4"], nist: ["AC-2(11)"], soc2: ["CC6.6"] },
  plans: {
    availability: "Platform and Platform Plus (Appendix A: Conditional Access)",
    requires: "conditionalAccess",
  },
  rationale:
    "Context-aware access enables Zero Trust: block risky locations or devices and adjust MFA requirements dynamically.",
  manualSteps: [
    "Security → Conditional Access → Create New Policy: define trusted/untrusted locations, device trust and user groups",
    "Actions: allow from trusted locations, require MFA from unknown locations, block access from blocked countries; set policy priority",
  ],
  checks: [],
  thresholds: {},
  needs: [],
  remediation: { automated: "no", description: "TODO" },
  audit() {
    throw new Error("TODO: audit of 3.1 not written yet");
  },
});
