/** 2.2 Configure MFA for System Access. */
import { defineControl } from "./types.js";

/** 2.2 */
export const systemMfa = defineControl({
  id: "2.2",
  title: "Configure MFA for System Access",
  section: "Multi-Factor Authentication",
  level: "L2",
  severity: "high",
  mappings: { cis: ["6.5"], nist: ["IA-2(1)"], soc2: [] },
  plans: { availability: "All plans (not listed in Appendix A)" },
  rationale: "Device logins and SSH are entry points too; MFA at system login and for SSH closes them.",
  manualSteps: [
    "Security → MFA: enable Require MFA for System Login, per OS (Windows logon, macOS login, Linux SSH)",
    "Linux: configure the JumpCloud agent to require MFA for SSH connections; users complete MFA after the password",
  ],
  checks: [],
  thresholds: {},
  needs: [],
  remediation: { automated: "no", description: "TODO" },
  audit() {
    throw new Error("TODO: audit of 2.2 not written yet");
  },
});
