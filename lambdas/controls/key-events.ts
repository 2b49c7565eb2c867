/** 5.2 Key Events to Monitor. */
import { defineControl } from "./types.js";

/** 5.2 */
export const keyEvents = defineControl({
  id: "5.2",
  title: "Key Events to Monitor",
  section: "Monitoring & Detection",
  level: "L1",
  severity: "medium",
  mappings: { cis: [], nist: [], soc2: [] },
  metadataNote:
    "The guide gives 5.2 no profile level and no framework mappings; it is listed as L1 with section 5 and mapped to nothing.",
  plans: {
    availability: "Platform and Platform Plus (needs Directory Insights)",
    requires: "directoryInsights",
  },
  rationale:
    "The guide's table of key events (admin logins, admin changes, MFA bypass, failed authentication, new device enrollment, policy changes) are the detections that catch attacks and drift between audits.",
  manualSteps: [
    "Monitor admin logins for unauthorized admin access",
    "Monitor admin changes for policy modifications",
    "Monitor MFA bypass for security control circumvention",
    "Monitor failed authentication for brute-force attempts",
    "Monitor new device enrollment for unauthorized devices",
    "Monitor policy changes for configuration drift",
  ],
  checks: [],
  thresholds: {},
  needs: [],
  remediation: { automated: "no", description: "TODO" },
  audit() {
    throw new Error("TODO: audit of 5.2 not written yet");
  },
});
