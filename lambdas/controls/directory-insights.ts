/** 5.1 Enable Directory Insights. */
import { defineControl } from "./types.js";

/** 5.1 */
export const directoryInsights = defineControl({
  id: "5.1",
  title: "Enable Directory Insights",
  section: "Monitoring & Detection",
  level: "L1",
  severity: "high",
  mappings: { cis: ["8.2"], nist: ["AU-2", "AU-6"], soc2: ["CC7.2"] },
  plans: {
    availability: "Platform and Platform Plus (Appendix A: Directory Insights)",
    requires: "directoryInsights",
  },
  rationale:
    "Directory Insights is the audit log of admin actions, authentication and system events; without it incidents go unseen.",
  manualSteps: [
    "Reports → Directory Insights: review admin, user authentication, system and SSO events",
    "Settings → Directory Insights: configure SIEM export (AWS S3, Azure Blob Storage, webhook) and the retention period",
  ],
  checks: [],
  thresholds: {},
  needs: [],
  remediation: { automated: "no", description: "TODO" },
  audit() {
    throw new Error("TODO: audit of 5.1 not written yet");
  },
});
