/**
 * 4.1 Configure System Policies: a screen-lock, full-disk-encryption, firewall and OS-update policy for
 * every OS family among the managed systems, applied successfully on each system, and a screen-lock
 * timeout of at most 5 minutes.
 *
 * Template names are not documented except `darwin_Lock_Screen` (notes §7): a policy's kind is
 * recognised from its template's `osMetaFamily` plus keywords in the template's name or displayName,
 * never from an exact name. A policy under an unrecognisable name is reported missing, and the message
 * says how policies were matched. The lock timeout is found by the config field's name/label and unit.
 */
import type { DevicePolicy } from "../collect/snapshot.js";
import type { JcSystem, PolicyResult } from "../jumpcloud/types.js";
import { defineControl, type ResourceResult, result } from "./types.js";

/** OS families the guide's policies apply to (`system.osFamily`, `template.osMetaFamily`). */
type Family = "darwin" | "windows" | "linux";
const FAMILY_NAMES: Record<Family, string> = { darwin: "macOS", windows: "Windows", linux: "Linux" };
const FAMILIES = Object.keys(FAMILY_NAMES) as Family[];

/** The four policy kinds of guide 4.1. */
type Kind = "screenLock" | "diskEncryption" | "firewall" | "osUpdates";

/**
 * How a template is recognised: keywords over its lowercase name and displayName. `encrypt` alone would
 * also match the real `darwin_Encrypted_DNS_over_HTTPS` template, hence the DNS exclusion.
 */
const KINDS: Record<Kind, { label: string; check: string; keywords: RegExp; exclude?: RegExp }> = {
  screenLock: {
    label: "screen lock",
    check: "screen-lock",
    keywords: /lock[ _-]?screen|screen[ _-]?lock|screen[ _-]?saver/,
  },
  diskEncryption: {
    label: "full-disk encryption",
    check: "disk-encryption",
    keywords: /filevault|bitlocker|luks|encrypt/,
    exclude: /dns/,
  },
  firewall: { label: "firewall", check: "firewall", keywords: /firewall/ },
  osUpdates: { label: "OS updates", check: "os-updates", keywords: /update/ },
};
const KIND_ORDER = Object.keys(KINDS) as Kind[];

/** Config fields that hold the lock timeout, by name/label (the real field is not documented). */
const TIMEOUT_FIELD = /timeout|idle|inactiv|lock[ _-]?after/;

/** The kind of a policy's template, or undefined when no keyword matches. */
function kindOf(policy: DevicePolicy): Kind | undefined {
  const text = `${policy.template.name ?? ""} ${policy.template.displayName ?? ""}`.toLowerCase();
  return KIND_ORDER.find((kind) => {
    const { keywords, exclude } = KINDS[kind];
    return keywords.test(text) && !exclude?.test(text);
  });
}

/** The OS family a policy's template targets; `universal`, `ios` and `android` are not evaluated. */
function familyOf(policy: DevicePolicy): Family | undefined {
  const family = policy.template.osMetaFamily;
  return FAMILIES.find((f) => f === family);
}

function systemName(system: JcSystem): string {
  return system.hostname ?? system.displayName ?? system._id;
}

/** What a policy's latest result says about one system. */
type Outcome = "success" | "failed" | "pending" | "no result";

function outcomeOf(status: PolicyResult | undefined): Outcome {
  if (!status) return "no result";
  if (status.success === true) return "success";
  if (status.success === false) return "failed";
  return "pending";
}

function describeOutcome(outcome: Outcome, status: PolicyResult | undefined): string {
  if (outcome === "no result") return "no result: not bound or not yet applied";
  if (outcome === "failed") return `failed${status?.state ? ` (state ${status.state})` : ""}`;
  return `not applied yet (state ${status?.state ?? "unknown"})`;
}

/** The latest result per system of a policy (the API returns the latest already; keep the newest if not). */
function latestBySystem(statuses: readonly PolicyResult[]): Map<string, PolicyResult> {
  const latest = new Map<string, PolicyResult>();
  for (const status of statuses) {
    if (!status.systemID) continue;
    const seen = latest.get(status.systemID);
    if (!seen || (status.endedAt ?? "") >= (seen.endedAt ?? "")) latest.set(status.systemID, status);
  }
  return latest;
}

/** The lock timeout of a screen-lock policy in minutes, or why it could not be read. */
function lockTimeout(
  policy: DevicePolicy,
): { minutes: number; field: string } | { problem: string; observed: unknown } {
  const candidates = policy.configFields.filter((field) =>
    TIMEOUT_FIELD.test(`${field.name ?? ""} ${field.label ?? ""}`.toLowerCase()),
  );
  const [field] = candidates;
  if (!field) return { problem: "no config field named like a lock timeout", observed: null };
  const fieldName = field.label ?? field.name ?? field.id ?? "timeout";
  if (candidates.length > 1) {
    return {
      problem: `several config fields look like a timeout (${candidates.map((f) => f.label ?? f.name).join(", ")})`,
      observed: null,
    };
  }
  const raw = policy.values.find(
    (value) => value.configFieldID !== undefined && value.configFieldID === field.id,
  )?.value;
  if (raw === undefined) return { problem: `no value for "${fieldName}"`, observed: null };
  const text = `${field.name ?? ""} ${field.label ?? ""}`.toLowerCase();
  const unit = /second|\bsecs?\b/.test(text) ? 60 : /minute|\bmins?\b/.test(text) ? 1 : undefined;
  const value = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0) {
    return { problem: `"${fieldName}" is "${raw}", not a positive number`, observed: raw };
  }
  if (unit === undefined) return { problem: `"${fieldName}" is ${raw} in an unknown unit`, observed: raw };
  return { minutes: value / unit, field: fieldName };
}

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
  checks: [
    "For every OS family among the managed systems (macOS, Windows, Linux), a screen-lock, a full-disk-encryption (FileVault, BitLocker, LUKS), a firewall and an OS-update policy exists; policies are recognised by the template's `osMetaFamily` and keywords in its name or display name, because JumpCloud does not document the template names",
    "Every system of that family has a successful latest result (`success: true`) for each of those policies; a failed, pending or missing result (not bound or not yet applied) fails the system",
    "Each screen-lock policy locks after at most `maxScreenLockMinutes` minutes of inactivity, read from the config field named like a timeout; a timeout that cannot be found or parsed is left for manual review",
  ],
  thresholds: {
    maxScreenLockMinutes: {
      default: 5,
      description: "Longest accepted inactivity before the screen locks, in minutes",
      source: "guide 4.1 (Screen Lock Policy: lock after inactivity: 5 minutes)",
      min: 1,
      max: 60,
    },
  },
  needs: ["systems", "devicePolicies"],
  remediation: {
    automated: "no",
    description:
      "Device Management → Policies: create the missing Lock Screen (5 minutes or less, password required), FileVault 2 / BitLocker / LUKS (with key escrow), firewall and software-update policies for each OS family and bind them to every system; then fix the systems whose results failed or are missing (agent offline, policy not bound, unsupported OS version).",
  },
  audit({ systems, devicePolicies }, { maxScreenLockMinutes }) {
    const results: ResourceResult[] = [];
    const byFamily = new Map<Family, JcSystem[]>();
    const notEvaluated: { system: string; osFamily: string | null }[] = [];
    for (const system of systems) {
      const family = FAMILIES.find((f) => f === system.osFamily);
      if (family) {
        const list = byFamily.get(family) ?? [];
        list.push(system);
        byFamily.set(family, list);
      } else notEvaluated.push({ system: systemName(system), osFamily: system.osFamily ?? null });
    }
    const classified = devicePolicies.map((policy) => ({
      policy,
      kind: kindOf(policy),
      family: familyOf(policy),
      latest: latestBySystem(policy.statuses),
    }));
    const policyEvidence = classified.map(({ policy, kind, family, latest }) => {
      const familySystems = family ? (byFamily.get(family) ?? []) : [];
      const outcomes = familySystems.map((s) => outcomeOf(latest.get(s._id)));
      return {
        name: policy.name,
        template: policy.template.name ?? null,
        osMetaFamily: policy.template.osMetaFamily ?? null,
        kind: kind ?? null,
        systems: familySystems.length,
        success: outcomes.filter((o) => o === "success").length,
        failed: outcomes.filter((o) => o === "failed").length,
        pending: outcomes.filter((o) => o === "pending").length,
        noResult: outcomes.filter((o) => o === "no result").length,
      };
    });
    const evidence = {
      systemsByFamily: Object.fromEntries(FAMILIES.map((f) => [f, byFamily.get(f)?.length ?? 0])),
      systemsNotEvaluated: notEvaluated,
      policies: policyEvidence,
      matching:
        "Policies are recognised by template osMetaFamily plus keywords in the template name/displayName (template names are not documented): " +
        KIND_ORDER.map((k) => `${KINDS[k].label} /${KINDS[k].keywords.source}/`).join(", "),
    };
    const present = FAMILIES.filter((f) => byFamily.has(f));
    if (present.length === 0) {
      return {
        results,
        summary: `No macOS, Windows or Linux systems are managed (${systems.length} systems in all), so there is nothing to check; expected screen-lock, encryption, firewall and update policies on every managed system.`,
        status: "NOT_APPLICABLE",
        evidence,
      };
    }

    const missing: string[] = [];
    for (const family of present) {
      const familySystems = byFamily.get(family) ?? [];
      const resource = { type: "os-family", id: family, name: FAMILY_NAMES[family] };
      for (const kind of KIND_ORDER) {
        const { label, check, keywords, exclude } = KINDS[kind];
        const policies = classified.filter((c) => c.family === family && c.kind === kind);
        if (policies.length === 0) {
          missing.push(`${FAMILY_NAMES[family]} ${label}`);
          results.push(
            result(
              "FAIL",
              resource,
              `${check}-policy`,
              `No ${label} policy for ${FAMILY_NAMES[family]} (${familySystems.length} systems): no template with osMetaFamily "${family}" whose name or displayName matches /${keywords.source}/${exclude ? ` (and not /${exclude.source}/)` : ""}; template names are not documented, so check Device Management → Policies for a policy under another name`,
              { observed: [], expected: `a ${label} policy for ${family}` },
            ),
          );
          continue;
        }
        results.push(
          result(
            "PASS",
            resource,
            `${check}-policy`,
            `${label} policy present: ${policies.map((c) => c.policy.name).join(", ")}`,
            { observed: policies.map((c) => c.policy.name) },
          ),
        );
        for (const system of familySystems) {
          const problems = policies.flatMap(({ policy, latest }) => {
            const status = latest.get(system._id);
            const outcome = outcomeOf(status);
            return outcome === "success" ? [] : [`${policy.name}: ${describeOutcome(outcome, status)}`];
          });
          const observed = Object.fromEntries(
            policies.map(({ policy, latest }) => [policy.name, outcomeOf(latest.get(system._id))]),
          );
          const sys = { type: "system", id: system._id, name: systemName(system) };
          results.push(
            problems.length === 0
              ? result("PASS", sys, check, `${label} applied successfully`, { observed })
              : result("FAIL", sys, check, problems.join("; "), { observed, expected: "success" }),
          );
        }
      }
    }

    const lockPolicies = classified.filter(
      (c) => c.kind === "screenLock" && c.family !== undefined && byFamily.has(c.family),
    );
    const timeoutIssues: string[] = [];
    for (const { policy } of lockPolicies) {
      const resource = { type: "policy", id: policy.id, name: policy.name };
      const timeout = lockTimeout(policy);
      if ("problem" in timeout) {
        timeoutIssues.push(`${policy.name}: unknown`);
        results.push(
          result(
            "MANUAL",
            resource,
            "screen-lock-timeout",
            `Could not read the lock timeout (${timeout.problem}); verify the lock timeout is at most ${maxScreenLockMinutes} minutes in Device Management → Policies → ${policy.name}`,
            { observed: timeout.observed, expected: `≤ ${maxScreenLockMinutes} minutes` },
          ),
        );
        continue;
      }
      const extra = {
        observed: timeout.minutes,
        expected: `≤ ${maxScreenLockMinutes} minutes`,
        measure: { value: timeout.minutes, unit: "minutes", worseWhen: "higher" as const },
      };
      const ok = timeout.minutes <= maxScreenLockMinutes;
      if (!ok) timeoutIssues.push(`${policy.name}: ${timeout.minutes} min`);
      results.push(
        result(
          ok ? "PASS" : "FAIL",
          resource,
          "screen-lock-timeout",
          `Locks after ${timeout.minutes} minutes of inactivity (${timeout.field}); expected at most ${maxScreenLockMinutes}`,
          extra,
        ),
      );
    }

    const required = present.length * KIND_ORDER.length;
    const systemChecks = results.filter((r) => r.resourceType === "system");
    const failingSystems = [
      ...new Set(systemChecks.filter((r) => r.status === "FAIL").map((r) => r.resourceName)),
    ];
    const shown = failingSystems.slice(0, 10).join(", ") + (failingSystems.length > 10 ? ", …" : "");
    const summary =
      `${required - missing.length} of ${required} required policies exist for the ${present.map((f) => FAMILY_NAMES[f]).join(", ")} systems (expected screen lock, full-disk encryption, firewall and OS updates for each)` +
      `${missing.length ? `, missing: ${missing.join(", ")}` : ""}; ` +
      `${systemChecks.length - systemChecks.filter((r) => r.status === "FAIL").length} of ${systemChecks.length} system policy results succeeded (expected all)` +
      `${failingSystems.length ? `, failing on ${shown}` : ""}; ` +
      (lockPolicies.length === 0
        ? `no screen-lock policy to read a timeout from (expected at most ${maxScreenLockMinutes} minutes).`
        : `${lockPolicies.length - timeoutIssues.length} of ${lockPolicies.length} screen-lock policies lock within ${maxScreenLockMinutes} minutes` +
          `${timeoutIssues.length ? ` (${timeoutIssues.join(", ")})` : ""}.`);
    return { results, summary, evidence };
  },
});
