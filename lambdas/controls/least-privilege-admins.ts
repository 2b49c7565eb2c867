/** 1.2 Implement Least Privilege Administration: 2-3 full administrators, admin API keys and custom roles reviewed. */
import { adminActivity, adminResource } from "./admin-portal-mfa.js";
import { CHECK_RESOURCE_TYPE, defineControl, isolateCheck, type ResourceResult, result } from "./types.js";
import {
  combineDoubts,
  type Doubt,
  describeReading,
  doubtOf,
  fieldsOf,
  isDoubt,
  notAnObject,
  readBoolean,
  readList,
  readString,
  valueOr,
  worstStatusOf,
} from "./values.js";

/** Roles with full access to the organization (Tier 0 of the guide). */
export const FULL_ADMIN_ROLES = ["Administrator", "Administrator With Billing"] as const;

/** The built-in admin roles (notes §2, `Get-JCAdmin -roleName`); any other name is a custom role. */
export const BUILT_IN_ADMIN_ROLES = [
  "Administrator With Billing",
  "Administrator",
  "Manager",
  "Command Runner With Billing",
  "Command Runner",
  "Help Desk",
  "Billing Only",
  "Read Only",
] as const;

const normalize = (role: string) => role.trim().toLowerCase();
const FULL = new Set<string>(FULL_ADMIN_ROLES.map(normalize));
const BUILT_IN = new Set<string>(BUILT_IN_ADMIN_ROLES.map(normalize));

/** Whether an admin holds an API key; `generated` when only `apiKeyUpdatedAt` says so. */
type ApiKey = { has: true; generated?: string } | { has: false } | Doubt;

/** What 1.2 reads of one admin, every field read tolerantly. */
interface AdminReading {
  resource: { type: string; id: string; name: string };
  activity: "active" | "suspended" | Doubt;
  /** Role names read (`roleName` and `roleNames`), without duplicates. */
  roles: string[];
  /** Why the roles may be incomplete (a field of another type, or no role reported at all). */
  roleDoubts: Doubt[];
  /** A full role among the roles read → true; all roles read and none full → false; otherwise unread. */
  full: boolean | Doubt;
  key: ApiKey;
  /** The key fields as read, for the evidence (null when absent or of another type). */
  keyFields: { apiKeySet: boolean | null; apiKeyAllowed: boolean | null; apiKeyUpdatedAt: string | null };
}

function readRoles(fields: Readonly<Record<string, unknown>>): { roles: string[]; doubts: Doubt[] } {
  const doubts: Doubt[] = [];
  const names: string[] = [];
  const roleName = readString(fields.roleName);
  if (roleName.state === "value") names.push(roleName.value);
  else if (roleName.state === "invalid") doubts.push(doubtOf("roleName", roleName, "<field> not reported"));
  const roleNames = readList(fields.roleNames);
  if (roleNames.state === "invalid") doubts.push(doubtOf("roleNames", roleNames, "<field> not reported"));
  if (roleNames.state === "value") {
    roleNames.value.forEach((raw, i) => {
      const name = readString(raw);
      if (name.state === "value") names.push(name.value);
      else doubts.push(doubtOf(`roleNames[${i}]`, name, "<field> not reported"));
    });
  }
  const roles = [
    ...new Map(names.filter((n) => n.trim() !== "").map((n) => [normalize(n), n.trim()])).values(),
  ];
  if (roles.length === 0 && doubts.length === 0)
    doubts.push({ status: "MANUAL", reason: "no role reported" });
  return { roles, doubts };
}

/**
 * The API key of an admin. `apiKeySet`/`apiKeyAllowed` true means a key; either false (and neither true)
 * means none. Real admin lists may lack both (notes §12.3): then `apiKeyUpdatedAt`, the field JumpCloud's
 * own Get-JCAdmin reads, is the evidence: a timestamp means a key was generated (it may since have been
 * revoked, which the message says); no timestamp and no flags means no key was ever generated.
 */
function readApiKey(fields: Readonly<Record<string, unknown>>): ApiKey {
  const set = readBoolean(fields.apiKeySet);
  const allowed = readBoolean(fields.apiKeyAllowed);
  if ((set.state === "value" && set.value) || (allowed.state === "value" && allowed.value))
    return { has: true };
  if (set.state === "value" || allowed.state === "value") return { has: false };
  const updated = readString(fields.apiKeyUpdatedAt);
  if (updated.state === "invalid") return doubtOf("apiKeyUpdatedAt", updated, "<field> not reported");
  if (set.state === "invalid") return doubtOf("apiKeySet", set, "<field> not reported");
  if (allowed.state === "invalid") return doubtOf("apiKeyAllowed", allowed, "<field> not reported");
  return updated.state === "value" && updated.value.trim() !== ""
    ? { has: true, generated: updated.value }
    : { has: false };
}

/** One admin, read; a record that cannot be read at all (or whose reading throws) is one ERROR doubt. */
function readAdmin(admin: unknown, index: number): AdminReading {
  const unusable = (
    reason: string,
    resource = { type: "admin", id: `admins[${index}]`, name: `admins[${index}]` },
  ) => {
    const doubt: Doubt = { status: "ERROR", reason };
    const keyFields = { apiKeySet: null, apiKeyAllowed: null, apiKeyUpdatedAt: null };
    return { resource, activity: doubt, roles: [], roleDoubts: [doubt], full: doubt, key: doubt, keyFields };
  };
  try {
    const fields = fieldsOf(admin);
    if (!fields) return unusable(`the admin record is ${notAnObject(admin)}`);
    return readAdminFields(fields, adminResource(admin, index));
  } catch (error) {
    return unusable(`the admin record could not be read (${(error as Error)?.message ?? String(error)})`);
  }
}

function readAdminFields(
  fields: Readonly<Record<string, unknown>>,
  resource: AdminReading["resource"],
): AdminReading {
  const { roles, doubts } = readRoles(fields);
  const full = roles.some((role) => FULL.has(normalize(role)))
    ? true
    : (combineDoubts(doubts, { separator: ", " }) ?? false);
  return {
    resource,
    activity: adminActivity(fields),
    roles,
    roleDoubts: doubts,
    full,
    key: readApiKey(fields),
    keyFields: {
      apiKeySet: valueOr(readBoolean(fields.apiKeySet), null),
      apiKeyAllowed: valueOr(readBoolean(fields.apiKeyAllowed), null),
      apiKeyUpdatedAt: valueOr(readString(fields.apiKeyUpdatedAt), null),
    },
  };
}

/** Every admin of the list, read; throws when the list is not one (the check then says so as its ERROR). */
function readAdmins(admins: unknown): AdminReading[] {
  const list = readList(admins);
  if (list.state !== "value") throw new Error(`the admins list is ${describeReading(list)}`);
  return list.value.map(readAdmin);
}

/**
 * A count over admins where some could not be read: `certain` admins surely count, `possible` ones may
 * (their suspension or the counted property was not read), each with why.
 */
function tally(
  admins: AdminReading[],
  counts: (admin: AdminReading) => boolean | Doubt,
): { certain: AdminReading[]; possible: { admin: AdminReading; doubt: Doubt }[] } {
  const certain: AdminReading[] = [];
  const possible: { admin: AdminReading; doubt: Doubt }[] = [];
  for (const admin of admins) {
    if (admin.activity === "suspended") continue;
    const value = counts(admin);
    if (value === false) continue;
    const doubt = combineDoubts(
      [isDoubt(admin.activity) ? admin.activity : undefined, isDoubt(value) ? value : undefined],
      { separator: ", ", distinct: true },
    );
    if (doubt) possible.push({ admin, doubt });
    else certain.push(admin);
  }
  return { certain, possible };
}

const describePossible = (possible: { admin: AdminReading; doubt: Doubt }[]) =>
  possible.map((p) => `${p.admin.resource.name}: ${p.doubt.reason}`).join("; ");

/** Stable resources for the organization-level checks (the admins dataset carries no organization). */
const FULL_ADMINS = { type: "admin-role", id: "full-administrators", name: "Full administrators" };
const API_KEY_ADMINS = { type: "admin-api-keys", id: "admin-api-keys", name: "Admins with API keys" };

/** The role check: every non-suspended admin has a role the API reports; none at all is a review. */
function judgeRoles(admins: AdminReading[]): ResourceResult[] {
  const results: ResourceResult[] = [];
  for (const admin of admins) {
    if (admin.activity === "suspended") continue;
    const { resource, roles, roleDoubts } = admin;
    if (roleDoubts.length === 0) {
      const kind =
        admin.full === true
          ? "full administrator"
          : roles.some((role) => !BUILT_IN.has(normalize(role)))
            ? "custom role"
            : "limited built-in role";
      // The role is what it is whether or not the admin is suspended.
      results.push(result("PASS", resource, "role", `${roles.join(", ")} (${kind})`, { observed: roles }));
    } else if (roles.length === 0 && roleDoubts.every((d) => d.reason === "no role reported")) {
      results.push(
        result(
          "MANUAL",
          resource,
          "role",
          "The API reported no role for this admin; check its role in Admins",
          {
            observed: null,
          },
        ),
      );
    } else {
      const read = roles.length ? ` (read: ${roles.join(", ")})` : "";
      results.push(
        result(
          worstStatusOf(roleDoubts),
          resource,
          "role",
          `${roleDoubts.map((d) => d.reason).join(", ")}${read}; check its role in Admins`,
          { observed: roles },
        ),
      );
    }
  }
  if (results.length === 0) {
    results.push(
      result(
        "MANUAL",
        { type: CHECK_RESOURCE_TYPE, id: "role", name: "role" },
        "role",
        "No active admin accounts were returned; expected at least the key's own admin",
      ),
    );
  }
  return results;
}

/** Tier 0: the count of full administrators, measured so that "more full admins" is a regression. */
function judgeFullCount(full: ReturnType<typeof tally>, min: number, max: number): ResourceResult {
  const { certain, possible } = full;
  const names = certain.map((a) => a.resource.name);
  const listed = names.length ? `: ${names.join(", ")}` : "";
  const expected = { min, max };
  // A measure only when the count is exact: a partial count must not read as a regression or a recovery.
  const extra = {
    observed: certain.length,
    expected,
    ...(possible.length === 0
      ? { measure: { value: certain.length, unit: "full admins", worseWhen: "higher" as const } }
      : {}),
  };
  if (certain.length > max) {
    const more = possible.length ? `; not judged: ${describePossible(possible)}` : "";
    return result(
      "FAIL",
      FULL_ADMINS,
      "full-admin-count",
      `${certain.length} admins hold a full Administrator role, more than ${max}${listed}${more}`,
      extra,
    );
  }
  const most = certain.length + possible.length;
  if (most < min) {
    // Not a failure of least privilege: a single (or no) full admin is a break-glass and continuity question.
    return result(
      "MANUAL",
      FULL_ADMINS,
      "full-admin-count",
      certain.length === 0 && possible.length === 0
        ? "No non-suspended admin holds a full Administrator role; check who can manage roles and MFA, and keep a break-glass account"
        : `Only ${most} admin${most === 1 ? "" : "s"}${possible.length ? " at most" : ""} hold${most === 1 ? "s" : ""} a full Administrator role (${[...names, ...possible.map((p) => p.admin.resource.name)].join(", ")}), fewer than ${min}; check that a break-glass account exists`,
      extra,
    );
  }
  if (possible.length > 0 && (most > max || certain.length < min)) {
    const status = worstStatusOf(possible.map((p) => p.doubt));
    return result(
      status,
      FULL_ADMINS,
      "full-admin-count",
      `${certain.length} admins hold a full Administrator role${listed}, and ${possible.length} more may (${describePossible(possible)}): cannot tell whether the count is within ${min}-${max}`,
      extra,
    );
  }
  return result(
    "PASS",
    FULL_ADMINS,
    "full-admin-count",
    `${certain.length} admins hold a full Administrator role${listed}${possible.length ? `; not judged, but within the limit either way: ${describePossible(possible)}` : ""}`,
    extra,
  );
}

/**
 * API keys on admin accounts. Every organization audited through the API has at least one (this audit's
 * own key belongs to an admin), so a key alone cannot be a finding: the keys are listed in the evidence,
 * and only more than `max` of them asks for a review (MANUAL, not FAIL: integrations may legitimately need
 * keys, and the API does not say what a key is used for).
 */
function judgeApiKeys(keys: ReturnType<typeof tally>, max: number): ResourceResult {
  const { certain, possible } = keys;
  const names = certain.map((a) => a.resource.name);
  const extra = {
    observed: certain.length,
    expected: { max },
    ...(possible.length === 0
      ? { measure: { value: certain.length, unit: "admins with API keys", worseWhen: "higher" as const } }
      : {}),
  };
  // Where only the timestamp shows a key, say so: it may have been revoked since.
  const basis = certain
    .flatMap((a) =>
      !isDoubt(a.key) && a.key.has && a.key.generated
        ? [`${a.resource.name}: key generated ${a.key.generated}, whether it is still set was not reported`]
        : [],
    )
    .map((text) => ` (${text})`)
    .join("");
  if (certain.length > max) {
    return result(
      "MANUAL",
      API_KEY_ADMINS,
      "api-key-admins",
      `${certain.length} admins have API keys enabled, more than ${max} (${names.join(", ")}); check each key is needed and turn off API access for the others${basis}${possible.length ? `; not judged: ${describePossible(possible)}` : ""}`,
      extra,
    );
  }
  if (certain.length + possible.length > max) {
    return result(
      worstStatusOf(possible.map((p) => p.doubt)),
      API_KEY_ADMINS,
      "api-key-admins",
      `${certain.length} admin${certain.length === 1 ? " has" : "s have"} API keys enabled${names.length ? ` (${names.join(", ")})` : ""}, and ${possible.length} more may (${describePossible(possible)}): cannot tell whether more than ${max} do`,
      extra,
    );
  }
  return result(
    "PASS",
    API_KEY_ADMINS,
    "api-key-admins",
    certain.length === 0
      ? "No admin has API keys enabled"
      : `${certain.length} admin${certain.length === 1 ? " has" : "s have"} API keys enabled: ${names.join(", ")}${basis}`,
    extra,
  );
}

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
  checks: [
    "The number of non-suspended admins holding a full role (`Administrator` or `Administrator With Billing`, in `roleName` or `roleNames`) is at most `maxFullAdmins` (FAIL above); fewer than `minFullAdmins` is a break-glass concern (MANUAL)",
    "Non-suspended admins with API keys enabled (`apiKeyAllowed` or `apiKeySet`; where the list reports neither, a key generation time in `apiKeyUpdatedAt`) are listed; more than `maxApiKeyAdmins` of them is a MANUAL review",
    "Every non-suspended admin has a role the API reports (MANUAL otherwise); custom roles (not one of the 8 built-in ones) are listed in the evidence",
    "An admin whose suspension, roles or key flags could not be read (not reported: MANUAL; another type: ERROR) is named, and a count it could push across a limit is not judged",
  ],
  thresholds: {
    maxFullAdmins: {
      default: 3,
      description: "Most non-suspended admins that may hold a full Administrator role",
      source:
        'Hardening guide 1.2 Tier 0 "Limit to 2-3 trusted admins" (and 1.1 Step 2 "Administrator: Full access (limit to 2-3)")',
      min: 1,
      max: 1000,
    },
    minFullAdmins: {
      default: 2,
      description:
        "Fewest full administrators before the control asks for a review (a single one leaves no break-glass account)",
      source: 'Hardening guide 1.2 Tier 0 "Limit to 2-3 trusted admins" (lower bound)',
      min: 0,
      max: 1000,
    },
    maxApiKeyAdmins: {
      default: 1,
      description: "Most non-suspended admins with API keys enabled before the control asks for a review",
      source:
        "project default: one key is expected (the key this audit runs with belongs to an admin); every further key on an admin account is a standing credential to review (guide Appendix B, July 2023 incident: JumpCloud invalidated all admin API keys)",
      min: 0,
      max: 1000,
    },
  },
  needs: ["admins"],
  remediation: {
    automated: "no",
    description:
      "Manual (guide 1.2): in Admins, move full administrators beyond the 2-3 Tier 0 accounts to Manager, Help Desk, Read Only or a custom role with the minimum permissions, remove unneeded admin accounts, and turn off API access (`apiKeyAllowed`) for admins that do not need a key. Role changes are judgment calls and are never automated.",
  },
  audit({ admins }, { maxFullAdmins, minFullAdmins, maxApiKeyAdmins }) {
    const roleResults = isolateCheck("role", () => judgeRoles(readAdmins(admins)));
    let full: ReturnType<typeof tally> | undefined;
    const fullResults = isolateCheck("full-admin-count", () => {
      full = tally(readAdmins(admins), (admin) => admin.full);
      return [judgeFullCount(full, minFullAdmins, maxFullAdmins)];
    });
    let keys: ReturnType<typeof tally> | undefined;
    const keyResults = isolateCheck("api-key-admins", () => {
      keys = tally(readAdmins(admins), (admin) => (isDoubt(admin.key) ? admin.key : admin.key.has));
      return [judgeApiKeys(keys, maxApiKeyAdmins)];
    });
    const results = [...roleResults, ...fullResults, ...keyResults];

    // Evidence and summary read only what the checks produced, so they are built whatever a check met.
    const list = readList(admins as unknown);
    const readings = list.state === "value" ? list.value.map(readAdmin) : [];
    const active = readings.filter((a) => a.activity !== "suspended");
    const suspended = readings.length - active.length;
    const customRoles = new Map<string, string[]>();
    // Maps, not plain objects: a role named like an inherited property ("__proto__") must count as any other.
    const roleCounts = new Map<string, number>();
    for (const admin of active) {
      for (const role of admin.roles.filter((r) => !BUILT_IN.has(normalize(r)))) {
        customRoles.set(role, [...(customRoles.get(role) ?? []), admin.resource.name]);
      }
      for (const role of admin.roles.length ? admin.roles : ["(not reported)"])
        roleCounts.set(role, (roleCounts.get(role) ?? 0) + 1);
    }
    const fullNames = (full?.certain ?? []).map((a) => a.resource.name);
    const notJudged = results
      .filter((r) => r.status === "ERROR" || (r.status === "MANUAL" && r.check === "role"))
      .map((r) => ({ check: r.check, resource: r.resourceName, reason: r.message }));
    const evidence = {
      activeAdmins: active.length,
      suspendedAdmins: suspended,
      fullAdmins: fullNames,
      adminsByRole: Object.fromEntries(roleCounts),
      customRoles: Object.fromEntries(customRoles),
      apiKeyAdmins: (keys?.certain ?? []).map((admin) => ({
        admin: admin.resource.name,
        roles: admin.roles,
        fullAdmin: admin.full === true,
        ...admin.keyFields,
      })),
      ...(notJudged.length ? { notJudged } : {}),
      note: "The guide asks Tier 0 admins for the strongest MFA (WebAuthn/hardware keys); admin records only report TOTP enrollment, so check the method of each full administrator in the console.",
    };

    const listed = fullNames.length ? `: ${fullNames.join(", ")}` : "";
    const fullText = full
      ? `${full.certain.length}${full.possible.length ? ` (${full.possible.length} more not judged)` : ""} of ${active.length} active admins hold a full Administrator role (expected ${minFullAdmins}-${maxFullAdmins})${listed}`
      : "full administrators could not be counted";
    const keyText = keys
      ? `${keys.certain.length}${keys.possible.length ? ` (${keys.possible.length} more not judged)` : ""} with API keys enabled (review above ${maxApiKeyAdmins})`
      : "admins with API keys could not be counted";
    const summary =
      list.state !== "value"
        ? `Could not judge any admin: the admins list is ${describeReading(list)}.`
        : active.length === 0
          ? "No active admin accounts were returned; expected at least the key's own admin."
          : `${fullText}; ${keyText}${customRoles.size ? `; custom roles: ${[...customRoles.keys()].join(", ")}` : ""}.`;
    return { results, summary, evidence };
  },
});
