/** 2.1 Enforce Organization-Wide MFA. */
import { defineControl } from "./types.js";

/** 2.1 */
export const orgWideMfa = defineControl({
  id: "2.1",
  title: "Enforce Organization-Wide MFA",
  section: "Multi-Factor Authentication",
  level: "L1",
  severity: "critical",
  mappings: { cis: ["6.5"], nist: ["IA-2(1)"], soc2: ["CC6.1"] },
  plans: {
    availability:
      "All plans (Appendix A: User MFA on Free for up to 10 users, Core, Platform, Platform Plus)",
  },
  rationale:
    "MFA blocks the vast majority of automated attacks; enforcing it organization-wide, for all users, prevents gaps.",
  manualSteps: [
    "Security → MFA: enable Require MFA for User Portal, enforced for All Users (User Groups only for a phased rollout)",
    "Allowed methods: TOTP, WebAuthn security keys and platform authenticators, JumpCloud Go; disable SMS/Voice if possible",
    "Security → JumpCloud Go: enable passwordless authentication with device authenticators",
  ],
  checks: [],
  thresholds: {},
  needs: [],
  remediation: { automated: "no", description: "TODO" },
  audit() {
    throw new Error("TODO: audit of 2.1 not written yet");
  },
});
