/** 2.1 Enforce Organization-Wide MFA: an unconditional all-users User Portal MFA policy, and every active user enrolled. */
import type { PlannedRemediation } from "../remediation/actions.js";
import { allUsersMfaPolicy, REMEDIATION_NAMES } from "../remediation/bodies.js";
import { checkError, defineControl, isolateCheck, type ResourceResult, result } from "./types.js";
import {
  combineDoubts,
  type Doubt,
  describeReading,
  doubtOf,
  fieldsOf,
  isDoubt,
  notAnObject,
  preview,
  readBoolean,
  readList,
  readObject,
  readString,
  textOf,
  valueOr,
  worstStatusOf,
} from "./values.js";

/** A yes/no that may not have been read. */
type Tri = boolean | Doubt;

/** false if any is false, otherwise the doubts if any, otherwise true. */
function allOf(values: readonly Tri[]): Tri {
  if (values.includes(false)) return false;
  return combineDoubts(values.filter(isDoubt), { separator: ", ", distinct: true }) ?? true;
}

/** An object field: absent → `{}` when absence means "nothing set", else the reading's doubt. */
function objectOr(
  raw: unknown,
  field: string,
): { value: Readonly<Record<string, unknown>>; doubt?: undefined } | { doubt: Doubt } {
  const reading = readObject(raw);
  if (reading.state === "value") return { value: reading.value };
  if (reading.state === "absent") return { value: {} };
  return { doubt: doubtOf(field, reading, "<field> not reported") };
}

/** A list field: absent → `[]` (nothing listed), another type → its doubt. */
function listOr(
  raw: unknown,
  field: string,
): { value: readonly unknown[]; doubt?: undefined } | { doubt: Doubt } {
  const reading = readList(raw);
  if (reading.state === "value") return { value: reading.value };
  if (reading.state === "absent") return { value: [] };
  return { doubt: doubtOf(field, reading, "<field> not reported") };
}

// ─── Authentication policies ───────────────────────────────────────────────────────────────────────────

/** Who an all-users policy leaves out, or may leave out. */
interface Narrowing {
  groupExclusions: string[];
  attributeExclusions: unknown[];
  inclusions: unknown[];
}

/** What 2.1 reads of one authentication policy; each property true, false or unread. */
interface PolicyReading {
  name: string;
  id: string | null;
  enabled: Tri;
  userPortal: Tri;
  mfa: Tri;
  unconditional: Tri;
  allUsers: Tri;
  narrowing: Narrowing | Doubt;
  factors: string[] | string;
}

function readEnabled(fields: Readonly<Record<string, unknown>>): Tri {
  // The spec gives `disabled` no default, so a policy that does not say is not assumed enabled.
  const disabled = readBoolean(fields.disabled);
  return disabled.state === "value" ? !disabled.value : doubtOf("disabled", disabled, "<field> not reported");
}

/** The User Portal: `type` user_portal (the spec's default when absent) and, if resources are listed, it among them. */
function readUserPortal(
  fields: Readonly<Record<string, unknown>>,
  targets: Readonly<Record<string, unknown>>,
): Tri {
  const type = readString(fields.type);
  const typeOk: Tri =
    type.state === "value"
      ? type.value === "user_portal"
      : type.state === "absent"
        ? true
        : doubtOf("type", type, "<field> not reported");
  const resources = listOr(targets.resources, "targets.resources");
  if (resources.doubt) return allOf([typeOk, resources.doubt]);
  if (resources.value.length === 0) return typeOk;
  const doubts: Doubt[] = [];
  const covered = resources.value.some((raw, i) => {
    const resource = fieldsOf(raw);
    const rtype = readString(resource?.type);
    if (!resource || rtype.state !== "value") {
      doubts.push(
        doubtOf(
          `targets.resources[${i}]${resource ? ".type" : ""}`,
          resource ? rtype : readObject(raw),
          "<field> not reported",
        ),
      );
      return false;
    }
    // A resource without an id targets every resource of its type (spec: AuthnPolicyResourceTarget.id).
    return (
      rtype.value === "user_portal" &&
      (resource.id === undefined || resource.id === null || resource.id === "")
    );
  });
  return allOf([typeOk, covered ? true : doubts.length ? allOf(doubts) : false]);
}

/**
 * MFA on allow: `effect.action` allow and `obligations.mfa.required` true. An effect without obligations,
 * or obligations without `mfa`, imposes no MFA (obligations are what a policy adds on allow); a missing
 * `effect` or `required` is not read as "no".
 */
function readMfa(fields: Readonly<Record<string, unknown>>): Tri {
  const effect = readObject(fields.effect);
  if (effect.state !== "value") return doubtOf("effect", effect, "<field> not reported");
  const action = readString(effect.value.action);
  if (action.state !== "value") return doubtOf("effect.action", action, "<field> not reported");
  if (action.value !== "allow") return false;
  const obligations = objectOr(effect.value.obligations, "effect.obligations");
  if (obligations.doubt) return obligations.doubt;
  const mfa = objectOr(obligations.value.mfa, "effect.obligations.mfa");
  if (mfa.doubt) return mfa.doubt;
  if (obligations.value.mfa === undefined || obligations.value.mfa === null) return false;
  const required = readBoolean(mfa.value.required);
  return required.state === "value"
    ? required.value
    : doubtOf("effect.obligations.mfa.required", required, "<field> not reported");
}

/** No conditions (absent or `{}`); any condition (IP lists, locations, device state) limits where it applies. */
function readUnconditional(fields: Readonly<Record<string, unknown>>): Tri {
  const conditions = objectOr(fields.conditions, "conditions");
  return conditions.doubt ?? Object.keys(conditions.value).length === 0;
}

/** `targets.users.inclusions` contains `ALL`; no user inclusions means groups or attributes only. */
function readAllUsers(targets: Readonly<Record<string, unknown>>): Tri {
  const users = objectOr(targets.users, "targets.users");
  if (users.doubt) return users.doubt;
  const inclusions = listOr(users.value.inclusions, "targets.users.inclusions");
  return inclusions.doubt ?? inclusions.value.includes("ALL");
}

/** Excluded groups or attributes, and inclusions that may intersect with ALL. */
function readNarrowing(targets: Readonly<Record<string, unknown>>): Narrowing | Doubt {
  const groups = objectOr(targets.userGroups, "targets.userGroups");
  const attributes = objectOr(targets.userAttributes, "targets.userAttributes");
  if (groups.doubt || attributes.doubt)
    return allOf([groups.doubt ?? true, attributes.doubt ?? true]) as Doubt;
  const lists = {
    groupExclusions: listOr(groups.value.exclusions, "targets.userGroups.exclusions"),
    groupInclusions: listOr(groups.value.inclusions, "targets.userGroups.inclusions"),
    attributeExclusions: listOr(attributes.value.exclusions, "targets.userAttributes.exclusions"),
    attributeInclusions: listOr(attributes.value.inclusions, "targets.userAttributes.inclusions"),
  };
  const doubts = Object.values(lists).flatMap((l) => (l.doubt ? [l.doubt] : []));
  if (doubts.length) return allOf(doubts) as Doubt;
  const itemsOf = (l: (typeof lists)[keyof typeof lists]) => (l.doubt ? [] : l.value);
  return {
    groupExclusions: itemsOf(lists.groupExclusions).map((g) => textOf(g, preview(g))),
    attributeExclusions: [...itemsOf(lists.attributeExclusions)],
    inclusions: [...itemsOf(lists.groupInclusions), ...itemsOf(lists.attributeInclusions)],
  };
}

/** The allowed factors, for the report only: a list of types, "not restricted", or why it is unreadable. */
function readFactors(fields: Readonly<Record<string, unknown>>): string[] | string {
  const effect = fieldsOf(fields.effect);
  const obligations = fieldsOf(effect?.obligations);
  const factors = readList(obligations?.mfaFactors);
  if (factors.state === "absent") return "not restricted";
  if (factors.state === "invalid") return `unreadable (${describeReading(factors)})`;
  return factors.value.map((f) => textOf(fieldsOf(f)?.type, preview(f)));
}

function readPolicy(raw: unknown, index: number): PolicyReading {
  const fields = fieldsOf(raw);
  if (!fields) {
    const bad: Doubt = {
      status: "ERROR",
      reason: `the policy entry is ${notAnObject(raw)}`,
    };
    return {
      name: `(policy ${index + 1})`,
      id: null,
      enabled: bad,
      userPortal: bad,
      mfa: bad,
      unconditional: bad,
      allUsers: bad,
      narrowing: bad,
      factors: "unreadable",
    };
  }
  const id = readString(fields.id);
  const targets = objectOr(fields.targets, "targets");
  const viaTargets = <T>(read: (t: Readonly<Record<string, unknown>>) => T): T | Doubt =>
    targets.doubt ? targets.doubt : read(targets.value);
  return {
    name: textOf(fields.name, textOf(fields.id, "(unnamed policy)")),
    id: id.state === "value" && id.value !== "" ? id.value : null,
    enabled: readEnabled(fields),
    userPortal: viaTargets((t) => readUserPortal(fields, t)),
    mfa: readMfa(fields),
    unconditional: readUnconditional(fields),
    allUsers: viaTargets(readAllUsers),
    narrowing: viaTargets(readNarrowing),
    factors: readFactors(fields),
  };
}

const isNarrowed = (n: Narrowing) =>
  n.groupExclusions.length > 0 || n.attributeExclusions.length > 0 || n.inclusions.length > 0;

/** Stable resource for the policy check, whichever policy satisfies it. */
const USER_PORTAL = { type: "user-portal", id: "user_portal", name: "User Portal MFA policy" };

/** The policy check's verdict and what it saw, for the summary, evidence and planner. */
interface PolicyVerdict {
  results: ResourceResult[];
  chosen?: PolicyReading;
  clean?: PolicyReading;
  partial: string[];
  conditional: string[];
  disabled: string[];
  /** Policies that might be the org-wide one but could not be fully read, with why. */
  unjudged: { policy: PolicyReading; doubt: Doubt }[];
  /** A disabled policy that would qualify once enabled (all else read), for the planner. */
  reEnable?: PolicyReading;
}

/** The policy check: an enabled User Portal policy requiring MFA for all users, without conditions. */
function judgePolicy(raw: readonly unknown[]): PolicyVerdict {
  const policies = raw.map(readPolicy);
  const isTrue = (t: Tri) => t === true;
  const mfaPolicies = policies.filter((p) => isTrue(p.enabled) && isTrue(p.userPortal) && isTrue(p.mfa));
  const orgWide = mfaPolicies.filter((p) => isTrue(p.allUsers) && isTrue(p.unconditional));
  const clean = orgWide.find((p) => !isDoubt(p.narrowing) && !isNarrowed(p.narrowing));
  const narrowed = orgWide.find((p) => !isDoubt(p.narrowing) && isNarrowed(p.narrowing));
  const chosen = clean ?? narrowed;
  const conditional = mfaPolicies.filter((p) => p.unconditional === false).map((p) => p.name);
  const partial = mfaPolicies
    .filter((p) => p.allUsers === false && p.unconditional === true)
    .map((p) => p.name);
  const disabledOnes = policies.filter(
    (p) => p.enabled === false && isTrue(p.userPortal) && isTrue(p.mfa) && isTrue(p.allUsers),
  );
  const reEnable = disabledOnes.find((p) => isTrue(p.unconditional) && p.id !== null);
  // A policy none of whose properties is known to be wrong, but some of which were not read, may be it.
  const unjudged = policies.flatMap((p) => {
    const all = allOf([p.enabled, p.userPortal, p.mfa, p.allUsers, p.unconditional]);
    const doubt =
      all === true ? (isDoubt(p.narrowing) ? p.narrowing : undefined) : all === false ? undefined : all;
    return doubt ? [{ policy: p, doubt }] : [];
  });
  const verdict = {
    chosen,
    clean,
    partial,
    conditional,
    disabled: disabledOnes.map((p) => p.name),
    unjudged,
    reEnable,
  };
  const notJudged = unjudged.length
    ? `; not judged: ${unjudged.map((u) => `"${u.policy.name}" (${u.doubt.reason})`).join(", ")}`
    : "";
  const factorsOf = (p: PolicyReading) => (Array.isArray(p.factors) ? p.factors.join(", ") : p.factors);

  if (chosen) {
    const n = chosen.narrowing as Narrowing;
    const observed = {
      policy: chosen.name,
      id: chosen.id,
      factors: chosen.factors,
      groupExclusions: n.groupExclusions,
      attributeExclusions: n.attributeExclusions,
    };
    if (chosen === clean) {
      return {
        ...verdict,
        results: [
          result(
            "PASS",
            USER_PORTAL,
            "mfa-policy",
            `"${chosen.name}" requires MFA for all users without conditions (factors: ${factorsOf(chosen)})`,
            { observed, expected: { allUsers: true, conditions: "none" } },
          ),
        ],
      };
    }
    const why = [
      ...(n.groupExclusions.length ? [`excludes user groups ${n.groupExclusions.join(", ")}`] : []),
      ...(n.attributeExclusions.length
        ? [`excludes users by attribute ${JSON.stringify(n.attributeExclusions)}`]
        : []),
      ...(n.inclusions.length
        ? ["also names group or attribute inclusions (whether they narrow ALL is undocumented)"]
        : []),
    ];
    return {
      ...verdict,
      results: [
        result(
          "MANUAL",
          USER_PORTAL,
          "mfa-policy",
          `"${chosen.name}" requires MFA for all users but ${why.join(" and ")}; check that every exempted user is justified (factors: ${factorsOf(chosen)})${notJudged}`,
          { observed, expected: { allUsers: true, exclusions: [] } },
        ),
      ],
    };
  }
  const seen = [
    ...(partial.length ? [`only group-targeted: ${partial.join(", ")}`] : []),
    ...(conditional.length ? [`only conditional: ${conditional.join(", ")}`] : []),
    ...(verdict.disabled.length ? [`disabled: ${verdict.disabled.join(", ")}`] : []),
  ];
  const observed = { groupTargeted: partial, conditional, disabled: verdict.disabled };
  const expected = { allUsers: true, conditions: "none" };
  if (unjudged.length) {
    // One of these may be the org-wide policy: neither a PASS nor a FAIL can be given.
    return {
      ...verdict,
      results: [
        result(
          worstStatusOf(unjudged.map((u) => u.doubt)),
          USER_PORTAL,
          "mfa-policy",
          `No User Portal policy could be confirmed to require MFA for all users without conditions${notJudged}${seen.length ? ` (${seen.join("; ")})` : ""}; check them in Security → Conditional Access`,
          { observed: { ...observed, notJudged: unjudged.map((u) => u.policy.name) }, expected },
        ),
      ],
    };
  }
  return {
    ...verdict,
    results: [
      result(
        "FAIL",
        USER_PORTAL,
        "mfa-policy",
        `No enabled User Portal policy requires MFA for all users without conditions${seen.length ? ` (${seen.join("; ")})` : ""}`,
        { observed, expected },
      ),
    ],
  };
}

// ─── Users ─────────────────────────────────────────────────────────────────────────────────────────────

const ENROLLMENT_STATUSES = new Set([
  "NOT_ENROLLED",
  "DISABLED",
  "PENDING_ACTIVATION",
  "ENROLLMENT_EXPIRED",
  "IN_ENROLLMENT",
  "PRE_ENROLLMENT",
  "ENROLLED",
]);

/** Names a directory user for results; `index` names entries without a usable id. */
export function userResource(user: unknown, index: number): { type: string; id: string; name: string } {
  const fields = fieldsOf(user) ?? {};
  const id = textOf(fields._id, `users[${index}]`);
  const name = [textOf(fields.firstname, ""), textOf(fields.lastname, "")].filter(Boolean).join(" ");
  return { type: "user", id, name: textOf(fields.email, textOf(fields.username, name || id)) };
}

/**
 * Whether a user is active: `state` ACTIVATED and not `suspended`. Older records have no `state` (notes
 * §12.3): then `activated` true and `suspended` false settle it; what is not reported stays unread.
 */
export function userActivity(fields: Readonly<Record<string, unknown>>): "active" | "inactive" | Doubt {
  const suspended = readBoolean(fields.suspended);
  if (suspended.state === "value" && suspended.value) return "inactive";
  const state = readString(fields.state);
  if (state.state === "value") {
    const value = state.value.trim().toUpperCase();
    // SUSPENDED is a state of its own, so ACTIVATED settles it when `suspended` is not reported.
    if (value === "ACTIVATED")
      return suspended.state === "invalid"
        ? doubtOf("suspended", suspended, "<field> not reported")
        : "active";
    if (value === "SUSPENDED" || value === "STAGED") return "inactive";
    return {
      status: "ERROR",
      reason: `state is ${preview(state.value)} (expected ACTIVATED, STAGED or SUSPENDED)`,
    };
  }
  if (state.state === "invalid") return doubtOf("state", state, "<field> not reported");
  const activated = readBoolean(fields.activated);
  if (activated.state === "value" && !activated.value) return "inactive";
  if (activated.state === "absent")
    return { status: "MANUAL", reason: "neither state nor activated reported" };
  if (activated.state === "invalid") return doubtOf("activated", activated, "<field> not reported");
  return suspended.state === "value" ? "active" : doubtOf("suspended", suspended, "<field> not reported");
}

type Enrollment = { enrolled: true } | { enrolled: false; status: string } | { enrolled: null; doubt: Doubt };

/**
 * MFA enrollment: `totp_enabled` true or `mfaEnrollment.overallStatus` ENROLLED. Another documented overall
 * status settles "not enrolled" (it covers every method). Without `mfaEnrollment` (older records), TOTP off
 * does not settle it: WebAuthn or Push enrollment would not show.
 */
function readEnrollment(fields: Readonly<Record<string, unknown>>): Enrollment {
  const doubt = (d: Doubt): Enrollment => ({ enrolled: null, doubt: d });
  const totp = readBoolean(fields.totp_enabled);
  if (totp.state === "value" && totp.value) return { enrolled: true };
  const enrollment = readObject(fields.mfaEnrollment);
  if (enrollment.state === "invalid")
    return doubt(doubtOf("mfaEnrollment", enrollment, "<field> not reported"));
  const overall = enrollment.state === "value" ? readString(enrollment.value.overallStatus) : enrollment;
  if (overall.state === "value") {
    if (overall.value === "ENROLLED") return { enrolled: true };
    if (ENROLLMENT_STATUSES.has(overall.value)) return { enrolled: false, status: overall.value };
    return doubt({
      status: "ERROR",
      reason: `mfaEnrollment.overallStatus is ${preview(overall.value)} (not a documented status)`,
    });
  }
  if (overall.state === "invalid")
    return doubt(doubtOf("mfaEnrollment.overallStatus", overall, "<field> not reported"));
  if (totp.state === "invalid") return doubt(doubtOf("totp_enabled", totp, "<field> not reported"));
  return doubt({
    status: "MANUAL",
    reason:
      totp.state === "value"
        ? "TOTP not enabled and other methods not reported (no mfaEnrollment.overallStatus)"
        : "neither totp_enabled nor mfaEnrollment.overallStatus reported",
  });
}

const DAY_MS = 86_400_000;
const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** An exclusion's verdict, none (undefined), or why it could not be read. */
type Exclusion =
  | { status: "FAIL" | "MANUAL"; message: string; until: string | null }
  | { doubt: Doubt }
  | undefined;

/**
 * How an MFA exclusion is judged: none or expired → undefined (judge enrollment alone); no expiry or
 * beyond `maxExclusionDays` → FAIL (a standing bypass); a near, readable expiry → MANUAL with its date.
 */
function readExclusion(
  fields: Readonly<Record<string, unknown>>,
  now: Date,
  maxExclusionDays: number,
): Exclusion {
  const mfa = readObject(fields.mfa);
  if (mfa.state !== "value")
    return { doubt: doubtOf(mfa.state === "absent" ? "mfa.exclusion" : "mfa", mfa, "<field> not reported") };
  const exclusion = readBoolean(mfa.value.exclusion);
  if (exclusion.state !== "value")
    return { doubt: doubtOf("mfa.exclusion", exclusion, "<field> not reported") };
  if (!exclusion.value) return undefined;
  const untilReading = readString(mfa.value.exclusionUntil);
  if (untilReading.state === "invalid")
    return { doubt: doubtOf("mfa.exclusionUntil", untilReading, "<field> not reported") };
  const until = untilReading.state === "value" ? untilReading.value : "";
  // An exclusion ends at `exclusionUntil`; one without it does not end.
  if (until === "") return { status: "FAIL", message: "MFA exclusion without expiry", until: null };
  const untilMs = Date.parse(until);
  if (Number.isNaN(untilMs)) {
    return {
      status: "MANUAL",
      message: `MFA exclusion with an unreadable expiry ${preview(until)}; check it in Users → MFA`,
      until,
    };
  }
  if (untilMs > now.getTime() + maxExclusionDays * DAY_MS) {
    return {
      status: "FAIL",
      message: `MFA excluded until ${dateOnly(untilMs)}, more than ${maxExclusionDays} days away`,
      until,
    };
  }
  if (untilMs > now.getTime()) {
    return {
      status: "MANUAL",
      message: `MFA excluded until ${dateOnly(untilMs)}; check the exclusion is justified and ends then`,
      until,
    };
  }
  return undefined;
}

/** A verdict for a user whose activity could not be read: it stands only if it holds whether or not they are active. */
function ifActive(
  activity: "active" | Doubt,
  verdict: { status: ResourceResult["status"]; message: string },
): { status: ResourceResult["status"]; message: string } {
  if (activity === "active" || verdict.status === "PASS") return verdict;
  const status = verdict.status === "ERROR" || activity.status === "ERROR" ? "ERROR" : "MANUAL";
  return { status, message: `${activity.reason}; if active: ${verdict.message}` };
}

/** What the users check saw, for the summary and evidence. */
interface UserFacts {
  active: number;
  inactive: number;
  unknownActivity: number;
  enrolled: number;
  exclusions: { user: string; until: string | null; status: string }[];
}

/** The enrollment-and-exclusion check over every user. */
function judgeUsers(
  users: unknown,
  now: Date,
  maxExclusionDays: number,
): { results: ResourceResult[]; facts: UserFacts } {
  const list = readList(users);
  if (list.state !== "value") throw new Error(`the users list is ${describeReading(list)}`);
  const facts: UserFacts = { active: 0, inactive: 0, unknownActivity: 0, enrolled: 0, exclusions: [] };
  const results: ResourceResult[] = [];
  list.value.forEach((user, index) => {
    const resource = userResource(user, index);
    const fields = fieldsOf(user);
    if (!fields) {
      facts.unknownActivity++;
      results.push(result("ERROR", resource, "mfa", `The user record is ${notAnObject(user)}`));
      return;
    }
    const activity = userActivity(fields);
    if (activity === "inactive") {
      facts.inactive++;
      return;
    }
    if (activity === "active") facts.active++;
    else facts.unknownActivity++;
    const enrollment = readEnrollment(fields);
    const exclusion = readExclusion(fields, now, maxExclusionDays);
    if (enrollment.enrolled === true && activity === "active") facts.enrolled++;
    const ldap = readBoolean(fields.ldap_binding_user);
    const ldapText = ldap.state === "value" && ldap.value ? " (LDAP binding service account)" : "";
    const enrollmentText =
      enrollment.enrolled === true
        ? "enrolled"
        : enrollment.enrolled === false
          ? `not enrolled (${enrollment.status})`
          : enrollment.doubt.reason;
    const mfa = fieldsOf(fields.mfa);
    const observed = {
      enrolled: enrollment.enrolled,
      overallStatus: valueOr(readString(fieldsOf(fields.mfaEnrollment)?.overallStatus), null),
      totp: valueOr(readBoolean(fields.totp_enabled), null),
      exclusion: valueOr(readBoolean(mfa?.exclusion), null),
      exclusionUntil: valueOr(readString(mfa?.exclusionUntil), null),
    };
    const expected = { enrolled: true, exclusion: false };
    let verdict: { status: ResourceResult["status"]; message: string };
    if (exclusion && "status" in exclusion) {
      facts.exclusions.push({ user: resource.name, until: exclusion.until, status: exclusion.status });
      // A standing exclusion fails and a near one is a review, whatever the enrollment.
      verdict = { status: exclusion.status, message: `${exclusion.message}; ${enrollmentText}${ldapText}` };
    } else if (exclusion === undefined) {
      verdict =
        enrollment.enrolled === true
          ? { status: "PASS", message: "MFA enrolled" }
          : enrollment.enrolled === false
            ? { status: "FAIL", message: `MFA ${enrollmentText}${ldapText}` }
            : { status: enrollment.doubt.status, message: `${enrollmentText}${ldapText}; check Users → MFA` };
    } else {
      // The exclusion was not read: an enrolled user may still skip MFA, and an unenrolled one fails only
      // if no short exclusion is active, so neither PASS nor FAIL can be given.
      const doubts = [exclusion.doubt, ...(enrollment.enrolled === null ? [enrollment.doubt] : [])];
      verdict = {
        status: worstStatusOf(doubts),
        message: `${enrollment.enrolled === null ? "" : `MFA ${enrollmentText}; `}${doubts.map((d) => d.reason).join("; ")}${ldapText}; check Users → MFA`,
      };
    }
    const { status, message } = ifActive(activity, verdict);
    results.push(
      result(status, resource, "mfa", message, status === "PASS" ? { observed } : { observed, expected }),
    );
  });
  return { results, facts };
}

/** Without authentication policies (Free/Core), "Require MFA for User Portal" is a per-user setting. */
function judgeUserRequirements(users: unknown): ResourceResult[] {
  const list = readList(users);
  if (list.state !== "value") throw new Error(`the users list is ${describeReading(list)}`);
  return list.value.flatMap((user, index) => {
    const resource = userResource(user, index);
    const fields = fieldsOf(user);
    if (!fields)
      return [result("ERROR", resource, "mfa-required", `The user record is ${notAnObject(user)}`)];
    const activity = userActivity(fields);
    if (activity === "inactive") return [];
    const required = readBoolean(fields.enable_user_portal_multifactor);
    const verdict =
      required.state === "value"
        ? required.value
          ? { status: "PASS" as const, message: "User Portal MFA required for this user" }
          : {
              status: "FAIL" as const,
              message: "User Portal MFA not required for this user (enable_user_portal_multifactor is off)",
            }
        : (() => {
            const doubt = doubtOf("enable_user_portal_multifactor", required, "<field> not reported");
            return { status: doubt.status, message: `${doubt.reason}; check the user in Users → MFA` };
          })();
    const { status, message } = ifActive(activity, verdict);
    return [
      result(status, resource, "mfa-required", message, {
        observed: required.state === "value" ? required.value : null,
        expected: true,
      }),
    ];
  });
}

const SHOWN = 10;
const shortList = (names: string[]) =>
  names.length > SHOWN
    ? `${names.slice(0, SHOWN).join(", ")} and ${names.length - SHOWN} more`
    : names.join(", ");

/** The remediation plan: only from policies fully read; anything unread is reported, never guessed at. */
function planPolicy(authnPolicies: unknown): PlannedRemediation {
  const manual =
    "Users not enrolled must enroll themselves in the User Portal; MFA exclusions are removed by hand in Users → MFA.";
  if (authnPolicies === undefined) {
    return {
      actions: [],
      warnings: [
        "Authentication policies are not on this plan: require User Portal MFA per user (Users → MFA).",
        manual,
      ],
    };
  }
  const list = readList(authnPolicies);
  if (list.state !== "value") {
    return {
      actions: [],
      warnings: [`Nothing planned: the authentication policies list is ${describeReading(list)}.`, manual],
    };
  }
  const verdict = judgePolicy(list.value);
  if (verdict.clean) return { actions: [], warnings: [manual] };
  if (verdict.unjudged.length) {
    // Creating a policy next to one that may already be it (or re-enabling the wrong one) is a guess.
    return {
      actions: [],
      warnings: [
        `Nothing planned: policies that may already require MFA for all users could not be fully read (${verdict.unjudged.map((u) => `"${u.policy.name}": ${u.doubt.reason}`).join("; ")}); fix them by hand in Security → Conditional Access.`,
        manual,
      ],
    };
  }
  const disabled = verdict.reEnable;
  if (disabled?.id) {
    return {
      actions: [
        {
          kind: "enable-authn-policy",
          id: `2.1:authn_policy:${disabled.id}`,
          controlId: "2.1",
          resource: { type: "authn_policy", id: disabled.id, name: disabled.name },
          field: "disabled",
          policyId: disabled.id,
          before: true,
          after: false,
          description: `Re-enable the all-users MFA policy "${disabled.name}"`,
        },
      ],
      warnings: [manual],
    };
  }
  return {
    actions: [
      {
        kind: "create-authn-policy",
        id: "2.1:authn_policy:create",
        controlId: "2.1",
        resource: { type: "authn_policy", name: REMEDIATION_NAMES.allUsersMfaPolicy },
        field: "policy",
        name: REMEDIATION_NAMES.allUsersMfaPolicy,
        body: allUsersMfaPolicy(),
        before: null,
        after: "created",
        description: `Create the user-portal policy "${REMEDIATION_NAMES.allUsersMfaPolicy}" requiring MFA (TOTP, WebAuthn, Push; user verification required) for all users`,
      },
    ],
    warnings: [manual],
  };
}

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
  checks: [
    "An enabled `user_portal` authentication policy requires MFA (`effect.action` allow, `obligations.mfa.required` true) for all users (`targets.users.inclusions` contains `ALL`) without conditions (IP lists, locations, device state); its allowed factors (`mfaFactors`) are reported, and excluded user groups or attributes make it a MANUAL review",
    "Without Conditional Access (Free/Core plans: `--plan`, or JumpCloud answers 402), no policy exists: each active user must have User Portal MFA required (`enable_user_portal_multifactor`)",
    "Every active user (`state` ACTIVATED, or on older records without `state`, `activated` true; not suspended), across all pages, is enrolled in MFA (`totp_enabled` or `mfaEnrollment.overallStatus` ENROLLED; TOTP off without `mfaEnrollment` is a MANUAL check, since other methods would not show)",
    "MFA exclusions (`mfa.exclusion`): one without an expiry (`mfa.exclusionUntil`) or reaching further than `maxExclusionDays` fails; an active time-limited one is MANUAL with its date; an expired one is ignored",
    "A value the API does not report is a MANUAL check, one of another type an ERROR, for that user or policy only; a policy that may be the org-wide one but could not be fully read makes the policy check MANUAL or ERROR, never PASS or FAIL",
  ],
  thresholds: {
    maxExclusionDays: {
      default: 30,
      description:
        "Longest an active MFA exclusion may still run (days from now) before it counts as a standing bypass (FAIL) instead of a grace period (MANUAL)",
      source:
        "project default: an exclusion is meant as a short enrollment or travel grace period; one reaching beyond a month is effectively a permanent MFA bypass",
      min: 1,
      max: 3650,
    },
  },
  needs: ["users"],
  // Authentication policies are Conditional Access (Platform+); on Free/Core, User Portal MFA is set per user.
  optionalNeeds: ["authnPolicies"],
  remediation: {
    automated: "yes",
    description:
      'Creates an enabled `user_portal` policy requiring MFA for all users (POST /api/v2/authn/policies with `targets.users.inclusions: ["ALL"]` and `mfaFactors` as objects), then re-reads it; re-enables it (PATCH) when such a policy exists but is disabled. Plans nothing while a policy that may already be it could not be fully read. Enrollment and exclusions are per user and stay manual: users enroll in the User Portal; remove exclusions in Users → MFA.',
    plan({ authnPolicies }) {
      return planPolicy(authnPolicies);
    },
  },
  audit({ authnPolicies, users }, { maxExclusionDays }, now) {
    // Absent only when the engine decided the plan lacks authentication policies.
    const onPlan = authnPolicies !== undefined;
    let verdict: PolicyVerdict | undefined;
    const policyResults = onPlan
      ? isolateCheck("mfa-policy", () => {
          const list = readList(authnPolicies as unknown);
          if (list.state !== "value") {
            return [checkError("mfa-policy", `The authentication policies list is ${describeReading(list)}`)];
          }
          verdict = judgePolicy(list.value);
          return verdict.results;
        })
      : [];
    let facts: UserFacts | undefined;
    const userResults = isolateCheck("mfa", () => {
      const judged = judgeUsers(users, now, maxExclusionDays);
      facts = judged.facts;
      return judged.results;
    });
    const requirementResults = onPlan ? [] : isolateCheck("mfa-required", () => judgeUserRequirements(users));
    const results = [...policyResults, ...userResults, ...requirementResults];

    // Summary and evidence read only what the checks produced, so they are built whatever a check met.
    const named = (check: string, status: ResourceResult["status"]) =>
      results
        .filter((r) => r.check === check && r.status === status && r.resourceType !== "check")
        .map((r) => r.resourceName);
    const failing = named("mfa", "FAIL");
    const excluded = new Set(
      (facts?.exclusions ?? []).filter((e) => e.status === "MANUAL").map((e) => e.user),
    );
    const reviewing = named("mfa", "MANUAL").filter((n) => excluded.has(n));
    const unjudged = [...named("mfa", "MANUAL").filter((n) => !excluded.has(n)), ...named("mfa", "ERROR")];
    const required = results.filter((r) => r.check === "mfa-required");
    const policy = results.find((r) => r.check === "mfa-policy");
    const policyText = !onPlan
      ? `authentication policies are not on this plan, so User Portal MFA was checked per user (${required.filter((r) => r.status === "PASS").length} of ${required.length} required)`
      : !verdict
        ? `the policy check could not be evaluated (${policy?.message ?? "no result"})`
        : verdict.chosen
          ? `org-wide MFA policy "${verdict.chosen.name}"${verdict.chosen === verdict.clean ? "" : " (with exclusions)"}`
          : verdict.unjudged.length
            ? `no policy could be confirmed as the org-wide MFA policy (not judged: ${verdict.unjudged.map((u) => u.policy.name).join(", ")})`
            : "no org-wide MFA policy (expected one for all users without conditions)";
    const judged = (facts?.active ?? 0) + (facts?.unknownActivity ?? 0);
    const userText = !facts
      ? `Users could not be judged (${results.find((r) => r.check === "mfa")?.message ?? "no result"})`
      : judged === 0
        ? "No active users were returned"
        : `${facts.enrolled} of ${facts.active} active users are enrolled in MFA (expected all)${failing.length ? `; failing: ${shortList(failing)}` : ""}${reviewing.length ? `; excluded for now: ${shortList(reviewing)}` : ""}${unjudged.length ? `; not judged: ${shortList(unjudged)}` : ""}`;
    const summary = `${userText}; ${policyText}.`;
    const chosen = verdict?.chosen;
    const evidence = {
      policy: chosen
        ? {
            name: chosen.name,
            id: chosen.id,
            factors: chosen.factors,
            ...(chosen.narrowing as Narrowing),
          }
        : null,
      otherMfaPolicies: !onPlan
        ? "authentication policies not on this plan"
        : verdict
          ? {
              groupTargeted: verdict.partial,
              conditional: verdict.conditional,
              disabled: verdict.disabled,
              ...(verdict.unjudged.length
                ? {
                    notJudged: verdict.unjudged.map((u) => ({
                      policy: u.policy.name,
                      reason: u.doubt.reason,
                    })),
                  }
                : {}),
            }
          : "not evaluated",
      activeUsers: facts?.active ?? null,
      inactiveUsers: facts?.inactive ?? null,
      ...(facts?.unknownActivity ? { usersOfUnknownState: facts.unknownActivity } : {}),
      enrolled: facts?.enrolled ?? null,
      notEnrolled: facts ? facts.active - facts.enrolled : null,
      exclusions: facts?.exclusions ?? [],
    };
    return { results, summary, evidence };
  },
});
