/**
 * 4.1 Configure System Policies: a screen-lock, full-disk-encryption, firewall and OS-update policy for
 * every OS family among the managed systems, applied successfully on each system, and a screen-lock
 * timeout of at most 5 minutes.
 *
 * Real template names are `<snake_case>_<os>` (`lock_screen_darwin`, `system_updates_windows`, notes
 * §12.1), but most kinds' names were never published: a policy's kind is recognised from its template's
 * `osMetaFamily` plus keywords in the template's name or displayName, never from an exact name. The lock
 * timeout is the config field named `timeout`, in seconds (§12.1), found by `configFieldName`; values
 * are typed JSON and read tolerantly. Systems' `fde` (what the agent reports) is per-device evidence of
 * disk encryption that can only lower a system's verdict, never raise it.
 */
import type { DevicePolicy } from "../collect/snapshot.js";
import type { JcSystem, PolicyResult } from "../jumpcloud/types.js";
import { defineControl, isolateCheck, type ResourceResult, type ResultStatus, result } from "./types.js";
import {
  describeReading,
  preview,
  readBoolean,
  readList,
  readNumber,
  readObject,
  readString,
  textOf,
} from "./values.js";

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

/** Config fields that may hold the lock timeout, by name/label. */
const TIMEOUT_FIELD = /timeout|idle|inactiv|lock[ _-]?after/;
/** A field named like `timeout` on a lock-screen template is in seconds unless its label says otherwise (§12.1). */
const SECONDS_BY_DEFAULT = /timeout/;

/** The kind of a policy's template, or undefined when no keyword matches. */
function kindOf(policy: DevicePolicy): Kind | undefined {
  const text =
    `${textOf(policy.template?.name, "")} ${textOf(policy.template?.displayName, "")}`.toLowerCase();
  return KIND_ORDER.find((kind) => {
    const { keywords, exclude } = KINDS[kind];
    return keywords.test(text) && !exclude?.test(text);
  });
}

/** The OS family a policy's template targets; `universal`, `ios` and `android` are not evaluated. */
function familyOf(policy: DevicePolicy): Family | undefined {
  const family = policy.template?.osMetaFamily;
  return FAMILIES.find((f) => f === family);
}

function systemId(system: JcSystem): string {
  return textOf(system._id, "(no id)");
}

function systemName(system: JcSystem): string {
  return textOf(system.hostname, textOf(system.displayName, systemId(system)));
}

/** What a policy's latest result says about one system. */
type Outcome = "success" | "failed" | "pending" | "no result" | "unreadable";

function outcomeOf(status: PolicyResult | undefined): Outcome {
  if (!status) return "no result";
  const success = readBoolean(status.success);
  if (success.state === "value") return success.value ? "success" : "failed";
  return success.state === "absent" ? "pending" : "unreadable";
}

function describeOutcome(outcome: Outcome, status: PolicyResult | undefined): string {
  const state = textOf(status?.state, "");
  if (outcome === "no result") return "no result: not bound or not yet applied";
  if (outcome === "failed") return `failed${state ? ` (state ${state})` : ""}`;
  if (outcome === "unreadable") return `result unreadable (success is ${preview(status?.success)})`;
  return `not applied yet (state ${state || "unknown"})`;
}

/** The latest result per system of a policy (the API returns the latest already; keep the newest if not). */
function latestBySystem(statuses: readonly PolicyResult[]): Map<string, PolicyResult> {
  const latest = new Map<string, PolicyResult>();
  for (const status of Array.isArray(statuses) ? statuses : []) {
    const id = readString(status?.systemID);
    if (id.state !== "value") continue;
    const seen = latest.get(id.value);
    if (!seen || textOf(status.endedAt, "") >= textOf(seen.endedAt, "")) latest.set(id.value, status);
  }
  return latest;
}

/** What the agent reports about a system's disk encryption (§12.2), as problems and points to review. */
function fdeEvidence(system: JcSystem): { problems: string[]; reviews: string[]; observed: unknown } {
  const fde = readObject(system.fde);
  if (fde.state === "absent") return { problems: [], reviews: [], observed: null };
  if (fde.state === "invalid")
    return { problems: [], reviews: [`fde is ${describeReading(fde)}`], observed: fde.raw };
  const active = readBoolean(fde.value.active);
  const keyPresent = readBoolean(fde.value.keyPresent);
  const problems: string[] = [];
  const reviews: string[] = [];
  if (active.state === "value" && !active.value)
    problems.push("the agent reports the disk is not encrypted (fde.active false)");
  else if (active.state === "invalid") reviews.push(`fde.active is ${describeReading(active)}`);
  if (active.state === "value" && active.value && keyPresent.state === "value" && !keyPresent.value)
    reviews.push(
      "no recovery key escrowed in JumpCloud (fde.keyPresent false); the guide asks for key escrow",
    );
  return {
    problems,
    reviews,
    observed: { active: valueOrNull(active), keyPresent: valueOrNull(keyPresent) },
  };
}

function valueOrNull(reading: ReturnType<typeof readBoolean>): unknown {
  return reading.state === "value" ? reading.value : reading.state === "invalid" ? reading.raw : null;
}

/** The lock timeout of a screen-lock policy, or why it cannot be judged (MANUAL: look; ERROR: unusable data). */
type Timeout =
  | { minutes: number; field: string; unit: "seconds" | "minutes"; raw: unknown }
  | { status: "MANUAL" | "ERROR"; problem: string; observed: unknown };

interface FieldDefinition {
  id?: string;
  name?: string;
  label?: string;
  defaultValue?: unknown;
}

/** Field definitions that can be read (anything else in the list is skipped). */
function fieldDefinitions(policy: DevicePolicy): FieldDefinition[] {
  const list = readList(policy.configFields);
  if (list.state !== "value") return [];
  return list.value.flatMap((item) => {
    const field = readObject(item);
    if (field.state !== "value") return [];
    const str = (key: string) => {
      const r = readString(field.value[key]);
      return r.state === "value" ? r.value : undefined;
    };
    return [
      { id: str("id"), name: str("name"), label: str("label"), defaultValue: field.value.defaultValue },
    ];
  });
}

function lockTimeout(policy: DevicePolicy): Timeout {
  const values = readList(policy.values);
  if (values.state === "invalid")
    return {
      status: "ERROR",
      problem: `the policy's values are ${describeReading(values)}`,
      observed: values.raw,
    };
  const entries = (values.state === "value" ? values.value : []).flatMap((item) => {
    const entry = readObject(item);
    return entry.state === "value" ? [entry.value] : [];
  });
  const definitions = fieldDefinitions(policy);
  const looksLikeTimeout = (text: string | undefined) =>
    text !== undefined && TIMEOUT_FIELD.test(text.toLowerCase());
  // By configFieldName first (field ids are per catalog, §12.1); by id through the definitions otherwise.
  const byName = entries.filter((entry) => looksLikeTimeout(textOf(entry.configFieldName, "") || undefined));
  const candidates = definitions.filter(
    (field) => looksLikeTimeout(field.name) || looksLikeTimeout(field.label),
  );
  const names = new Set([
    ...byName.map((entry) => textOf(entry.configFieldName, "")),
    ...candidates.map((field) => field.name ?? field.label ?? ""),
  ]);
  if (names.size > 1)
    return {
      status: "MANUAL",
      problem: `several config fields look like a timeout (${[...names].join(", ")})`,
      observed: null,
    };
  const [definition] = candidates;
  const entry =
    byName[0] ??
    (definition?.id !== undefined
      ? entries.find((e) => textOf(e.configFieldID, "") === definition.id)
      : undefined);
  const name =
    (byName[0] ? textOf(byName[0].configFieldName, "") : undefined) ?? definition?.name ?? definition?.label;
  if (name === undefined)
    return {
      status: "MANUAL",
      problem: `no config field named like a lock timeout (field definitions from ${policy.configFieldsSource === "none" ? "neither the policy nor its template" : `the ${policy.configFieldsSource}`})`,
      observed: null,
    };
  const label =
    definition?.label ??
    (definition === undefined ? definitions.find((d) => d.name === name)?.label : undefined);
  const unitText = `${name} ${label ?? ""}`.toLowerCase();
  const unit = /minute|\bmins?\b/.test(unitText)
    ? "minutes"
    : /second|\bsecs?\b/.test(unitText) || SECONDS_BY_DEFAULT.test(name.toLowerCase())
      ? "seconds"
      : undefined;
  const shown = label ? `${name} ("${label}")` : name;
  if (!entry)
    return {
      status: "MANUAL",
      problem: `no value set for ${shown}${definition?.defaultValue !== undefined ? ` (the template's default is ${preview(definition.defaultValue)})` : ""}`,
      observed: null,
    };
  const value = readNumber(entry.value);
  if (value.state === "absent") return { status: "MANUAL", problem: `${shown} has no value`, observed: null };
  if (value.state === "invalid")
    return { status: "ERROR", problem: `${shown} is ${describeReading(value)}`, observed: value.raw };
  if (value.value <= 0)
    return {
      status: "MANUAL",
      problem: `${shown} is ${value.value}, which may mean "never lock"`,
      observed: entry.value,
    };
  if (unit === undefined)
    return {
      status: "MANUAL",
      problem: `${shown} is ${value.value} in an unknown unit`,
      observed: entry.value,
    };
  return {
    minutes: unit === "seconds" ? value.value / 60 : value.value,
    field: shown,
    unit,
    raw: entry.value,
  };
}

/** `15 minutes`, `1.5 minutes`. */
function minutesText(minutes: number): string {
  return `${Number.isInteger(minutes) ? minutes : minutes.toFixed(2).replace(/0+$/, "")} minute${minutes === 1 ? "" : "s"}`;
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
    "For every OS family among the managed systems (macOS, Windows, Linux), a screen-lock, a full-disk-encryption (FileVault, BitLocker, LUKS), a firewall and an OS-update policy exists; policies are recognised by the template's `osMetaFamily` and keywords in its name or display name, because most template names are not published (real ones look like `lock_screen_darwin`)",
    "Every system of that family has a successful latest result (`success: true`) for each of those policies; a failed, pending or missing result (not bound or not yet applied) fails the system, an unreadable one is an error for that system",
    "Disk encryption per system also uses what the agent reports (`fde.active`, `fde.keyPresent`): a disk reported unencrypted fails even when the policy succeeded, and a missing escrowed recovery key is left for review",
    "Each screen-lock policy locks after at most `maxScreenLockMinutes` minutes of inactivity, read from the config field named `timeout` (found by `configFieldName`, with field definitions from the policy or its template), in seconds unless the field's label says minutes; a number or a numeric string is read, a missing, ambiguous or non-positive value is left for manual review and a value of another type is an error for that policy only",
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
    const notEvaluated: { system: string; osFamily: unknown }[] = [];
    for (const system of systems) {
      const osFamily = readString(system.osFamily);
      const family = FAMILIES.find((f) => osFamily.state === "value" && f === osFamily.value);
      if (family) {
        const list = byFamily.get(family) ?? [];
        list.push(system);
        byFamily.set(family, list);
        continue;
      }
      notEvaluated.push({ system: systemName(system), osFamily: system.osFamily ?? null });
      // Another OS (iOS, Android…) is out of scope; an unreadable family hides which policies apply.
      if (osFamily.state !== "value")
        results.push(
          result(
            "MANUAL",
            { type: "system", id: systemId(system), name: systemName(system) },
            "os-family",
            `osFamily is ${describeReading(osFamily)}, so it is not known which policies must apply to this system; check it in Device Management`,
            { observed: system.osFamily ?? null, expected: "darwin, windows or linux" },
          ),
        );
    }
    const classified = devicePolicies.map((policy) => ({
      policy,
      kind: kindOf(policy),
      family: familyOf(policy),
      latest: latestBySystem(policy.statuses),
    }));
    const policyEvidence = classified.map(({ policy, kind, family, latest }) => {
      const familySystems = family ? (byFamily.get(family) ?? []) : [];
      const outcomes = familySystems.map((s) => outcomeOf(latest.get(systemId(s))));
      return {
        name: policy.name,
        template: textOf(policy.template?.name, "") || null,
        osMetaFamily: textOf(policy.template?.osMetaFamily, "") || null,
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
      unrecognisedTemplates: policyEvidence.filter((p) => p.kind === null).map((p) => p.template ?? p.name),
      matching:
        "Policies are recognised by template osMetaFamily plus keywords in the template name/displayName (most template names are not published): " +
        KIND_ORDER.map((k) => `${KINDS[k].label} /${KINDS[k].keywords.source}/`).join(", "),
    };
    const present = FAMILIES.filter((f) => byFamily.has(f));
    if (present.length === 0 && results.length === 0) {
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
              `No ${label} policy for ${FAMILY_NAMES[family]} (${familySystems.length} systems): no template with osMetaFamily "${family}" whose name or displayName matches /${keywords.source}/${exclude ? ` (and not /${exclude.source}/)` : ""}; most template names are not published, so check Device Management → Policies for a policy under another name`,
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
        results.push(
          ...isolateCheck(check, () =>
            familySystems.map((system) => {
              const problems: string[] = [];
              const unreadable: string[] = [];
              for (const { policy, latest } of policies) {
                const status = latest.get(systemId(system));
                const outcome = outcomeOf(status);
                if (outcome === "unreadable")
                  unreadable.push(`${policy.name}: ${describeOutcome(outcome, status)}`);
                else if (outcome !== "success")
                  problems.push(`${policy.name}: ${describeOutcome(outcome, status)}`);
              }
              const fde =
                kind === "diskEncryption"
                  ? fdeEvidence(system)
                  : { problems: [], reviews: [], observed: null };
              problems.push(...fde.problems);
              const observed: Record<string, unknown> = Object.fromEntries(
                policies.map(({ policy, latest }) => [policy.name, outcomeOf(latest.get(systemId(system)))]),
              );
              if (fde.observed !== null) observed.fde = fde.observed;
              const status: ResultStatus =
                problems.length > 0
                  ? "FAIL"
                  : unreadable.length > 0
                    ? "ERROR"
                    : fde.reviews.length > 0
                      ? "MANUAL"
                      : "PASS";
              const sys = { type: "system", id: systemId(system), name: systemName(system) };
              const message =
                status === "PASS"
                  ? `${label} applied successfully`
                  : [...problems, ...unreadable, ...fde.reviews].join("; ");
              return result(
                status,
                sys,
                check,
                message,
                status === "PASS" ? { observed } : { observed, expected: "success" },
              );
            }),
          ),
        );
      }
    }

    const lockPolicies = classified.filter(
      (c) => c.kind === "screenLock" && c.family !== undefined && byFamily.has(c.family),
    );
    const timeoutIssues: string[] = [];
    for (const { policy } of lockPolicies) {
      const resource = { type: "policy", id: policy.id, name: policy.name };
      const judged = isolateCheck("screen-lock-timeout", () => {
        const timeout = lockTimeout(policy);
        if ("problem" in timeout) {
          return [
            result(
              timeout.status,
              resource,
              "screen-lock-timeout",
              `Could not judge the lock timeout (${timeout.problem}); verify the lock timeout is at most ${maxScreenLockMinutes} minutes in Device Management → Policies → ${policy.name}`,
              { observed: timeout.observed, expected: `≤ ${maxScreenLockMinutes} minutes` },
            ),
          ];
        }
        const ok = timeout.minutes <= maxScreenLockMinutes;
        return [
          result(
            ok ? "PASS" : "FAIL",
            resource,
            "screen-lock-timeout",
            `Locks after ${minutesText(timeout.minutes)} of inactivity (${timeout.field} = ${preview(timeout.raw)} ${timeout.unit}); expected at most ${maxScreenLockMinutes}`,
            {
              observed: timeout.minutes,
              expected: `≤ ${maxScreenLockMinutes} minutes`,
              measure: { value: timeout.minutes, unit: "minutes", worseWhen: "higher" },
            },
          ),
        ];
      });
      for (const r of judged) {
        if (r.status === "FAIL") timeoutIssues.push(`${policy.name}: ${minutesText(r.observed as number)}`);
        else if (r.status !== "PASS") timeoutIssues.push(`${policy.name}: unknown`);
      }
      results.push(...judged);
    }

    const required = present.length * KIND_ORDER.length;
    const systemChecks = results.filter((r) => r.resourceType === "system" && r.check !== "os-family");
    const succeeded = systemChecks.filter((r) => r.status === "PASS" || r.status === "MANUAL").length;
    const failingSystems = [
      ...new Set(systemChecks.filter((r) => r.status === "FAIL").map((r) => r.resourceName)),
    ];
    const shown = failingSystems.slice(0, 10).join(", ") + (failingSystems.length > 10 ? ", …" : "");
    const unjudged = results.filter((r) => r.status === "ERROR").length;
    const summary =
      `${required - missing.length} of ${required} required policies exist for the ${present.map((f) => FAMILY_NAMES[f]).join(", ") || "no"} systems (expected screen lock, full-disk encryption, firewall and OS updates for each)` +
      `${missing.length ? `, missing: ${missing.join(", ")}` : ""}; ` +
      `${succeeded} of ${systemChecks.length} system policy results succeeded (expected all)` +
      `${failingSystems.length ? `, failing on ${shown}` : ""}; ` +
      (lockPolicies.length === 0
        ? `no screen-lock policy to read a timeout from (expected at most ${maxScreenLockMinutes} minutes)`
        : `${lockPolicies.length - timeoutIssues.length} of ${lockPolicies.length} screen-lock policies lock within ${maxScreenLockMinutes} minutes` +
          `${timeoutIssues.length ? ` (${timeoutIssues.join(", ")})` : ""}`) +
      `${unjudged ? `; ${unjudged} result${unjudged === 1 ? "" : "s"} could not be judged` : ""}.`;
    return { results, summary, evidence };
  },
});
