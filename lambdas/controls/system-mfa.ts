/** 2.2 Configure MFA for System Access: MFA at login on every system; on Linux no SSH passwords and no root login. */
import type { RemediationAction } from "../remediation/actions.js";
import { checkError, defineControl, isolateCheck, type ResourceResult, result } from "./types.js";
import {
  type Doubt,
  describeReading,
  doubtOf,
  fieldsOf,
  notAnObject,
  preview,
  readBoolean,
  readList,
  readString,
  textOf,
  worstStatusOf,
} from "./values.js";

/** Names a system for results; `index` names entries without a usable id. */
export function systemResource(system: unknown, index: number): { type: string; id: string; name: string } {
  const fields = fieldsOf(system) ?? {};
  const id = textOf(fields._id, `systems[${index}]`);
  return { type: "system", id, name: textOf(fields.displayName, textOf(fields.hostname, id)) };
}

/** Whether a system is Linux, read from `osFamily`; unread when the family is missing or not text. */
function linuxOf(fields: Readonly<Record<string, unknown>>): boolean | Doubt {
  const family = readString(fields.osFamily);
  return family.state === "value"
    ? family.value.trim().toLowerCase() === "linux"
    : doubtOf("osFamily", family, "The API did not report <field>");
}

/** One boolean setting of a system and the value it must have. */
interface Setting {
  check: string;
  field: "allowMultiFactorAuthentication" | "allowSshPasswordAuthentication" | "allowSshRootLogin";
  expected: boolean;
  linuxOnly: boolean;
  bad: string;
  good: string;
}

const SETTINGS: readonly Setting[] = [
  {
    check: "mfa",
    field: "allowMultiFactorAuthentication",
    expected: true,
    linuxOnly: false,
    bad: "MFA at login is off",
    good: "MFA at login is on",
  },
  {
    check: "ssh-password",
    field: "allowSshPasswordAuthentication",
    expected: false,
    linuxOnly: true,
    bad: "SSH password authentication is allowed",
    good: "SSH password authentication is off",
  },
  {
    check: "ssh-root-login",
    field: "allowSshRootLogin",
    expected: false,
    linuxOnly: true,
    bad: "SSH root login is allowed",
    good: "SSH root login is off",
  },
];

/** " (inactive, last contact …)" for a system the API reports inactive, for messages. */
function inactiveNote(fields: Readonly<Record<string, unknown>>): string {
  const active = readBoolean(fields.active);
  if (active.state !== "value" || active.value) return "";
  const contact = readString(fields.lastContact);
  return ` (inactive${contact.state === "value" && contact.value !== "" ? `, last contact ${contact.value.slice(0, 10)}` : ""})`;
}

/** One setting of one system; undefined when it does not apply (SSH on a system known not to be Linux). */
function judgeSetting(system: unknown, index: number, setting: Setting): ResourceResult | undefined {
  const resource = systemResource(system, index);
  const fields = fieldsOf(system);
  if (!fields) {
    // Reported once, under the check every system has; the SSH checks skip what cannot be a system.
    return setting.linuxOnly
      ? undefined
      : result("ERROR", resource, setting.check, `The system record is ${notAnObject(system)}`);
  }
  const linux = setting.linuxOnly ? linuxOf(fields) : true;
  if (linux === false) return undefined;
  const inactive = inactiveNote(fields);
  const reading = readBoolean(fields[setting.field]);
  const extra = {
    observed:
      reading.state === "value" ? reading.value : reading.state === "absent" ? null : preview(reading.raw),
    expected: setting.expected,
  };
  const doubts: Doubt[] = [];
  if (linux !== true) doubts.push(linux);
  if (reading.state === "value") {
    const ok = reading.value === setting.expected;
    // A compliant value holds whatever the OS; a non-compliant one only matters on Linux.
    if (ok || doubts.length === 0) {
      return result(
        ok ? "PASS" : "FAIL",
        resource,
        setting.check,
        `${ok ? setting.good : setting.bad}${inactive}`,
        extra,
      );
    }
    const [doubt] = doubts as [Doubt];
    return result(
      doubt.status,
      resource,
      setting.check,
      `${doubt.reason}; if this is a Linux system: ${setting.bad}${inactive}`,
      extra,
    );
  }
  doubts.push(doubtOf(setting.field, reading, "The API did not report <field>"));
  return result(
    worstStatusOf(doubts),
    resource,
    setting.check,
    `${doubts.map((d) => d.reason).join("; ")}; check the system's settings in Devices${inactive}`,
    extra,
  );
}

/** A boolean field's value, or undefined when it is absent or of another type. */
function fieldAs(fields: Readonly<Record<string, unknown>>, field: string): boolean | undefined {
  const reading = readBoolean(fields[field]);
  return reading.state === "value" ? reading.value : undefined;
}

/** What the summary counts of one system; a record whose reading throws counts as nothing. */
function systemFacts(
  system: unknown,
  index: number,
): { name: string; linux: boolean; inactive: boolean; hardened: boolean } {
  try {
    const fields = fieldsOf(system) ?? {};
    return {
      name: systemResource(system, index).name,
      linux: linuxOf(fields) === true,
      inactive: inactiveNote(fields) !== "",
      hardened:
        fieldAs(fields, "allowSshPasswordAuthentication") === false &&
        fieldAs(fields, "allowSshRootLogin") === false,
    };
  } catch {
    return { name: `systems[${index}]`, linux: false, inactive: false, hardened: false };
  }
}

const SHOWN = 10;
const shortList = (names: string[]) =>
  names.length > SHOWN
    ? `${names.slice(0, SHOWN).join(", ")} and ${names.length - SHOWN} more`
    : names.join(", ");

/** The planned change of one flag on one system, or why none is planned (its current value was not read). */
function planFlag(
  system: unknown,
  index: number,
  setting: Setting,
): { action?: RemediationAction; unread?: string } {
  const fields = fieldsOf(system);
  const id = readString(fields?._id);
  const resource = systemResource(system, index);
  if (!fields || id.state !== "value" || id.value === "") {
    return setting.linuxOnly ? {} : { unread: `${resource.name} (no readable id)` };
  }
  const linux = setting.linuxOnly ? linuxOf(fields) : true;
  if (linux === false) return {};
  const reading = readBoolean(fields[setting.field]);
  if (reading.state === "value" && reading.value === setting.expected) return {};
  // Never plan from a value that was not read: its "before" would be a guess, and rollback would write it.
  if (linux !== true) return { unread: `${resource.name} ${setting.field} (${linux.reason})` };
  if (reading.state !== "value")
    return {
      unread: `${resource.name} ${setting.field} (${doubtOf(setting.field, reading, "The API did not report <field>").reason})`,
    };
  const name = textOf(fields.hostname, textOf(fields.displayName, id.value));
  return {
    action: {
      kind: "system-flag",
      id: `2.2:system:${id.value}:${setting.field}`,
      controlId: "2.2",
      resource: { type: "system", id: id.value, name },
      field: setting.field,
      systemId: id.value,
      flag: setting.field,
      before: reading.value,
      after: setting.expected,
      description: `Set ${setting.field} to ${setting.expected} on ${name}`,
    },
  };
}

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
    "A setting (or, for an SSH setting that is on, the `osFamily`) the API does not report is a MANUAL check, one of another type an ERROR; no systems at all is NOT_APPLICABLE",
  ],
  thresholds: {},
  needs: ["systems"],
  remediation: {
    automated: "opt-in",
    description:
      "Only when named, with a warning that users must complete MFA at their next login: sets `allowMultiFactorAuthentication: true` and, on Linux, `allowSshPasswordAuthentication: false` and `allowSshRootLogin: false` (PUT /api/systems/{id}), then re-reads each system. Otherwise manual (guide 2.2): Security → MFA → Require MFA for System Login per OS, and the agent's SSH settings for Linux.",
    plan({ systems }) {
      const list = readList(systems as unknown);
      const records = list.state === "value" ? list.value : [];
      const planned = records.flatMap((system, index) => SETTINGS.map((s) => planFlag(system, index, s)));
      const actions = planned.flatMap((p) => (p.action ? [p.action] : []));
      const skipped = planned.flatMap((p) => (p.unread ? [p.unread] : []));
      return {
        actions,
        warnings: [
          "Lock-out risk: users without MFA enrolled cannot log in to systems that require it, and SSH sessions relying on passwords or root login stop working. Check enrollment (2.1) and SSH keys first.",
          ...(list.state === "value"
            ? []
            : [`Nothing planned: the systems list is ${describeReading(list)}.`]),
          ...(skipped.length
            ? [
                `Not planned because the current value could not be read; set by hand in Devices: ${shortList(skipped)}.`,
              ]
            : []),
        ],
      };
    },
  },
  audit({ systems }) {
    const list = readList(systems as unknown);
    if (list.state !== "value") {
      const reason = `The systems list is ${describeReading(list)}`;
      return {
        results: SETTINGS.map((s) => checkError(s.check, reason)),
        summary: `Could not judge any system: ${reason}.`,
      };
    }
    const records = list.value;
    if (records.length === 0) {
      return {
        results: [],
        summary:
          "No managed systems were returned; nothing to check (expected MFA at login on every system).",
        status: "NOT_APPLICABLE",
        evidence: { systems: 0 },
      };
    }
    // Inactive systems are still judged: an agent that comes back brings its settings with it.
    const results: ResourceResult[] = SETTINGS.flatMap((setting) =>
      isolateCheck(setting.check, () =>
        records.flatMap((system, index) => judgeSetting(system, index, setting) ?? []),
      ),
    );

    // The summary reads only the results and tolerant readings, so it is built whatever a check met.
    const namesOf = (check: string, status: ResourceResult["status"]) =>
      results
        .filter((r) => r.check === check && r.status === status && r.resourceType !== "check")
        .map((r) => r.resourceName);
    const noMfa = namesOf("mfa", "FAIL");
    const sshPassword = namesOf("ssh-password", "FAIL");
    const sshRoot = namesOf("ssh-root-login", "FAIL");
    const unjudged = (status: ResourceResult["status"]) => [
      ...new Set(
        results.filter((r) => r.status === status && r.resourceType !== "check").map((r) => r.resourceName),
      ),
    ];
    const unreported = unjudged("MANUAL");
    const unreadable = unjudged("ERROR");
    const failedChecks = results.filter((r) => r.resourceType === "check").map((r) => r.check);
    const facts = records.map(systemFacts);
    const linux = facts.filter((f) => f.linux).length;
    const inactive = facts.flatMap((f) => (f.inactive ? [f.name] : []));
    const withMfa = results.filter((r) => r.check === "mfa" && r.status === "PASS").length;
    const hardenedLinux = facts.filter((f) => f.linux && f.hardened).length;
    const problems = [
      ...(noMfa.length ? [`MFA off: ${shortList(noMfa)}`] : []),
      ...(sshPassword.length ? [`SSH passwords allowed: ${shortList(sshPassword)}`] : []),
      ...(sshRoot.length ? [`SSH root login allowed: ${shortList(sshRoot)}`] : []),
      ...(unreported.length ? [`settings not reported: ${shortList(unreported)}`] : []),
      ...(unreadable.length ? [`settings unreadable: ${shortList(unreadable)}`] : []),
      ...(failedChecks.length ? [`not evaluated: ${failedChecks.join(", ")}`] : []),
    ];
    const summary = `${withMfa} of ${records.length} systems have MFA at login and ${hardenedLinux} of ${linux} Linux systems refuse SSH passwords and root login (expected all)${problems.length ? `; ${problems.join("; ")}` : ""}${inactive.length ? `; ${inactive.length} inactive system${inactive.length === 1 ? " is" : "s are"} included` : ""}.`;
    return {
      results,
      summary,
      evidence: {
        systems: records.length,
        linuxSystems: linux,
        inactiveSystems: inactive,
        mfaOff: noMfa,
        sshPasswordAllowed: sshPassword,
        sshRootLoginAllowed: sshRoot,
      },
    };
  },
});
