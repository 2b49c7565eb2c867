/** 1.2 Implement Least Privilege Administration. */
import { defineControl } from "./types.js";

/** 1.2 */
export const leastPrivilegeAdmins = defineControl({
  id: "1.2",
  title: "Implement Least Privilege Administration",
  section: "Admin Account Security",
  level: "L1",
  severity: "high",
  mappings: { cis: ["5.4"], nist: ["AC-6(1)"], soc2: ["CC6.2"] },
  plans: { availability: "All plans (not listed in Appendix A)" },
  rationale:
    "Tiered administration limits the blast radius of a compromised admin: Tier 0 (full Administrator) for 2-3 trusted admins with the strongest MFA, Managers for day-to-day work, Help Desk and Read Only for support and audit. The July 2023 incident, after which JumpCloud invalidated all admin API keys, shows why API keys on admin accounts deserve review.",
  manualSteps: [
    "Settings → Admin Roles: review the default roles (Administrator, Manager, Help Desk, Read Only)",
    "Limit the Administrator role to 2-3 trusted admins (Tier 0) with the strongest MFA (WebAuthn/hardware keys)",
    "Create custom roles for specific functions and assign minimum required permissions",
    "Admins: remove unnecessary admin access",
  ],
  checks: [],
  thresholds: {},
  needs: [],
  remediation: { automated: "no", description: "TODO" },
  audit() {
    throw new Error("TODO: audit of 1.2 not written yet");
  },
});
