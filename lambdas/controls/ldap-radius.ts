/** 4.2 Configure LDAP & RADIUS Security. */
import { defineControl } from "./types.js";

/** 4.2 */
export const ldapRadius = defineControl({
  id: "4.2",
  title: "Configure LDAP & RADIUS Security",
  section: "Device & System Management",
  level: "L2",
  severity: "medium",
  mappings: { cis: ["3.10"], nist: ["SC-8"], soc2: [] },
  plans: { availability: "All plans (not listed in Appendix A)" },
  rationale:
    "Cloud LDAP and RADIUS authenticate networks and applications; weak MFA settings or shared secrets there bypass the directory's other protections.",
  manualSteps: [
    "Settings → Cloud LDAP: review bound applications, use dedicated service accounts for LDAP binds, enable TLS for LDAP connections",
    "Settings → Cloud RADIUS: require MFA for RADIUS authentication, configure shared secrets securely",
  ],
  checks: [],
  thresholds: {},
  needs: [],
  remediation: { automated: "no", description: "TODO" },
  audit() {
    throw new Error("TODO: audit of 4.2 not written yet");
  },
});
