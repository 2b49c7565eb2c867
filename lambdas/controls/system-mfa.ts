/** 2.2 Configure MFA for System Access: MFA at login on every system; on Linux no SSH passwords and no root login. */
import type { JcSystem } from "../jumpcloud/types.js";
import { defineControl, type ResourceResult, result } from "./types.js";

/** Names a system for results. */
export function systemResource(system: JcSystem): { type: string; id: string; name: string } {
  return { type: "system", id: system._id, name: system.displayName ?? system.hostname ?? system._id };
}

/** One boolean setting of a system and the value it must have. */
interface Setting {
  check: string;
  field: "allowMultiFactorAuthentication" | "allowSshPasswordAuthentication" | "allowSshRootLogin";
  expected: boolean;
  bad: string;
  good: string;
}

const MFA: Setting = {
  check: "mfa",
  field: "allowMultiFactorAuthentication",
  expected: true,
  bad: "MFA at login is off",
  good: "MFA at login is on",
};
const LINUX: Setting[] = [
  {
    check: "ssh-password",
    field: "allowSshPasswordAuthentication",
    expected: false,
    bad: "SSH password authentication is allowed",
    good: "SSH password authentication is off",
  },
  {
    check: "ssh-root-login",
    field: "allowSshRootLogin",
    expected: false,
    bad: "SSH root login is allowed",
    good: "SSH root login is off",
  },
];

const isLinux = (system: JcSystem) => (system.osFamily ?? "").toLowerCase() === "linux";
const SHOWN = 10;
const shortList = (names: string[]) =>
  names.length > SHOWN
    ? `${names.slice(0, SHOWN).join(", ")} and ${names.length - SHOWN} more`
    : names.join(", ");

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
  checks: [
    "Every system, active or not, has MFA at login enabled (`allowMultiFactorAuthentication`)",
    "Every Linux system (`osFamily` linux) refuses SSH password authentication (`allowSshPasswordAuthentication` false) and SSH root login (`allowSshRootLogin` false)",
    "A setting the API does not report is a MANUAL check; no systems at all is NOT_APPLICABLE",
  ],
  thresholds: {},
  needs: ["systems"],
  remediation: {
    automated: "opt-in",
    description:
      "Only when named, with a warning that users must complete MFA at their next login: sets `allowMultiFactorAuthentication: true` and, on Linux, `allowSshPasswordAuthentication: false` and `allowSshRootLogin: false` (PUT /api/systems/{id}), then re-reads each system. Otherwise manual (guide 2.2): Security → MFA → Require MFA for System Login per OS, and the agent's SSH settings for Linux.",
    plan({ systems }) {
      const flags = [
        ["allowMultiFactorAuthentication", true, () => true],
        ["allowSshPasswordAuthentication", false, (s: JcSystem) => s.osFamily === "linux"],
        ["allowSshRootLogin", false, (s: JcSystem) => s.osFamily === "linux"],
      ] as const;
      const actions = systems.flatMap((system) =>
        flags
          .filter(([flag, wanted, applies]) => applies(system) && system[flag] !== wanted)
          .map(([flag, wanted]) => ({
            kind: "system-flag" as const,
            id: `2.2:system:${system._id}:${flag}`,
            controlId: "2.2",
            resource: {
              type: "system",
              id: system._id,
              name: system.hostname ?? system.displayName ?? system._id,
            },
            field: flag,
            systemId: system._id,
            flag,
            before: system[flag] ?? null,
            after: wanted,
            description: `Set ${flag} to ${wanted} on ${system.hostname ?? system._id}`,
          })),
      );
      return {
        actions,
        warnings: [
          "Lock-out risk: users without MFA enrolled cannot log in to systems that require it, and SSH sessions relying on passwords or root login stop working. Check enrollment (2.1) and SSH keys first.",
        ],
      };
    },
  },
  audit({ systems }) {
    if (systems.length === 0) {
      return {
        results: [],
        summary:
          "No managed systems were returned; nothing to check (expected MFA at login on every system).",
        status: "NOT_APPLICABLE",
        evidence: { systems: 0 },
      };
    }
    const results: ResourceResult[] = [];
    // Inactive systems are still judged: an agent that comes back brings its settings with it.
    for (const system of systems) {
      const resource = systemResource(system);
      const inactive =
        system.active === false
          ? ` (inactive${system.lastContact ? `, last contact ${system.lastContact.slice(0, 10)}` : ""})`
          : "";
      for (const setting of [MFA, ...(isLinux(system) ? LINUX : [])]) {
        const value = system[setting.field];
        const extra = { observed: value ?? null, expected: setting.expected };
        if (typeof value !== "boolean") {
          results.push(
            result(
              "MANUAL",
              resource,
              setting.check,
              `The API did not report ${setting.field}; check the system's settings in Devices${inactive}`,
              extra,
            ),
          );
        } else {
          const ok = value === setting.expected;
          results.push(
            result(
              ok ? "PASS" : "FAIL",
              resource,
              setting.check,
              `${ok ? setting.good : setting.bad}${inactive}`,
              extra,
            ),
          );
        }
      }
    }

    const failingOf = (check: string) =>
      results.filter((r) => r.check === check && r.status === "FAIL").map((r) => r.resourceName);
    const noMfa = failingOf("mfa");
    const sshPassword = failingOf("ssh-password");
    const sshRoot = failingOf("ssh-root-login");
    const unreported = [...new Set(results.filter((r) => r.status === "MANUAL").map((r) => r.resourceName))];
    const linux = systems.filter(isLinux);
    const inactive = systems.filter((s) => s.active === false);
    const withMfa = results.filter((r) => r.check === "mfa" && r.status === "PASS").length;
    const hardenedLinux = linux.filter(
      (s) => s.allowSshPasswordAuthentication === false && s.allowSshRootLogin === false,
    ).length;
    const problems = [
      ...(noMfa.length ? [`MFA off: ${shortList(noMfa)}`] : []),
      ...(sshPassword.length ? [`SSH passwords allowed: ${shortList(sshPassword)}`] : []),
      ...(sshRoot.length ? [`SSH root login allowed: ${shortList(sshRoot)}`] : []),
      ...(unreported.length ? [`settings not reported: ${shortList(unreported)}`] : []),
    ];
    const summary = `${withMfa} of ${systems.length} systems have MFA at login and ${hardenedLinux} of ${linux.length} Linux systems refuse SSH passwords and root login (expected all)${problems.length ? `; ${problems.join("; ")}` : ""}${inactive.length ? `; ${inactive.length} inactive system${inactive.length === 1 ? " is" : "s are"} included` : ""}.`;
    return {
      results,
      summary,
      evidence: {
        systems: systems.length,
        linuxSystems: linux.length,
        inactiveSystems: inactive.map((s) => systemResource(s).name),
        mfaOff: noMfa,
        sshPasswordAllowed: sshPassword,
        sshRootLoginAllowed: sshRoot,
      },
    };
  },
});
