/** 4.1 Configure System Policies. */
import { defineControl } from "./types.js";

/** 4.1 */
export const systemPolicies = defineControl({
  id: "4.1",
  title: "Configure System Policies",
  section: "Device & System Management",
  level: "L1",
  severity: "high",
  mappings: { cis: ["4.1"], nist: ["CM-7"], soc2: [] },
  plans: { availability: "All plans (Appendix A: System Policies limited on Free)" },
  rationale:
    "System policies enforce security settings across managed devices: screen lock, full-disk encryption, firewall and OS updates.",
  manualSteps: [
    "Device Management → Policies: review available policy types",
    "Screen lock: lock after 5 minutes of inactivity, require password, apply to all systems",
    "Full-disk encryption: BitLocker (Windows), FileVault (macOS), LUKS (Linux), with key escrow",
    "Firewall: enable Windows and macOS firewalls on all systems",
    "OS updates: configure an update schedule and enforce critical security patches",
  ],
  checks: [],
  thresholds: {},
  needs: [],
  remediation: { automated: "no", description: "TODO" },
  audit() {
    throw new Error("TODO: audit of 4.1 not written yet");
  },
});
