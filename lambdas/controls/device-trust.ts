/** 3.2 Configure Device Trust. */
import { defineControl } from "./types.js";

/** 3.2 */
export const deviceTrust = defineControl({
  id: "3.2",
  title: "Configure Device Trust",
  section: "Conditional Access",
  level: "L2",
  severity: "medium",
  mappings: { cis: ["4.1"], nist: ["AC-2(11)"], soc2: [] },
  plans: {
    availability: "Platform and Platform Plus (Appendix A: Conditional Access)",
    requires: "conditionalAccess",
  },
  rationale:
    "Verifying endpoint compliance before granting access keeps unmanaged and unencrypted devices away from protected resources.",
  manualSteps: [
    "Security → Conditional Access: create a policy with device conditions",
    "Require the JumpCloud agent (managed device), disk encryption, and an updated OS",
    "Block access from non-compliant devices, or require additional authentication",
  ],
  checks: [],
  thresholds: {},
  needs: [],
  remediation: { automated: "no", description: "TODO" },
  audit() {
    throw new Error("TODO: audit of 3.2 not written yet");
  },
});
