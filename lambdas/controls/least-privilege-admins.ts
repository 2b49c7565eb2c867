/** 1.2 Implement Least Privilege Administration: 2-3 full administrators, admin API keys and custom roles reviewed. */
import type { AdminUser } from "../jumpcloud/types.js";
import { adminResource } from "./admin-portal-mfa.js";
import { defineControl, type ResourceResult, result } from "./types.js";

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

/** Every role name an admin carries (`roleName` and `roleNames[]`), without duplicates. */
export function adminRoles(admin: AdminUser): string[] {
  const names = [admin.roleName, ...(admin.roleNames ?? [])].filter(
    (name): name is string => typeof name === "string" && name.trim() !== "",
  );
  return [...new Map(names.map((name) => [normalize(name), name])).values()];
}

/** Whether an admin holds a full-access role. */
export function isFullAdmin(admin: AdminUser): boolean {
  return adminRoles(admin).some((role) => FULL.has(normalize(role)));
}

/** Whether an admin may hold or holds an API key (`apiKeyAllowed` or `apiKeySet`). */
export function hasApiKey(admin: AdminUser): boolean {
  return admin.apiKeyAllowed === true || admin.apiKeySet === true;
}

/** Stable resources for the organization-level checks (the admins dataset carries no organization). */
const FULL_ADMINS = { type: "admin-role", id: "full-administrators", name: "Full administrators" };
const API_KEY_ADMINS = { type: "admin-api-keys", id: "admin-api-keys", name: "Admins with API keys" };

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
    "Non-suspended admins with API keys enabled (`apiKeyAllowed` or `apiKeySet`) are listed; more than `maxApiKeyAdmins` of them is a MANUAL review",
    "Every non-suspended admin has a role the API reports (MANUAL otherwise); custom roles (not one of the 8 built-in ones) are listed in the evidence",
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
    const results: ResourceResult[] = [];
    const active = admins.filter((admin) => admin.suspended !== true);
    const name = (admin: AdminUser) => adminResource(admin).name;

    // Per admin: the role must be known, otherwise nothing can be said about its privilege.
    for (const admin of active) {
      const roles = adminRoles(admin);
      const resource = adminResource(admin);
      if (roles.length === 0) {
        results.push(
          result(
            "MANUAL",
            resource,
            "role",
            "The API reported no role for this admin; check its role in Admins",
            { observed: null },
          ),
        );
        continue;
      }
      const kind = isFullAdmin(admin)
        ? "full administrator"
        : roles.some((role) => !BUILT_IN.has(normalize(role)))
          ? "custom role"
          : "limited built-in role";
      results.push(result("PASS", resource, "role", `${roles.join(", ")} (${kind})`, { observed: roles }));
    }

    // Tier 0: the count of full administrators, measured so that "more full admins" is a regression.
    const full = active.filter(isFullAdmin);
    const fullNames = full.map(name);
    const measure = { value: full.length, unit: "full admins", worseWhen: "higher" as const };
    const expected = { min: minFullAdmins, max: maxFullAdmins };
    const listed = fullNames.length ? `: ${fullNames.join(", ")}` : "";
    if (full.length > maxFullAdmins) {
      results.push(
        result(
          "FAIL",
          FULL_ADMINS,
          "full-admin-count",
          `${full.length} admins hold a full Administrator role, more than ${maxFullAdmins}${listed}`,
          { observed: full.length, expected, measure },
        ),
      );
    } else if (full.length < minFullAdmins) {
      // Not a failure of least privilege: a single (or no) full admin is a break-glass and continuity question.
      results.push(
        result(
          "MANUAL",
          FULL_ADMINS,
          "full-admin-count",
          full.length === 0
            ? "No non-suspended admin holds a full Administrator role; check who can manage roles and MFA, and keep a break-glass account"
            : `Only ${full.length} admin holds a full Administrator role (${fullNames.join(", ")}), fewer than ${minFullAdmins}; check that a break-glass account exists`,
          { observed: full.length, expected, measure },
        ),
      );
    } else {
      results.push(
        result(
          "PASS",
          FULL_ADMINS,
          "full-admin-count",
          `${full.length} admins hold a full Administrator role${listed}`,
          { observed: full.length, expected, measure },
        ),
      );
    }

    // API keys on admin accounts. Every organization audited through the API has at least one (this
    // audit's own key belongs to an admin), so a key alone cannot be a finding: the keys are listed in
    // the evidence, and only more than `maxApiKeyAdmins` of them asks for a review (MANUAL, not FAIL:
    // integrations may legitimately need keys, and the API does not say what a key is used for).
    const withKeys = active.filter(hasApiKey);
    const keyNames = withKeys.map(name);
    const keyMeasure = { value: withKeys.length, unit: "admins with API keys", worseWhen: "higher" as const };
    results.push(
      withKeys.length > maxApiKeyAdmins
        ? result(
            "MANUAL",
            API_KEY_ADMINS,
            "api-key-admins",
            `${withKeys.length} admins have API keys enabled, more than ${maxApiKeyAdmins} (${keyNames.join(", ")}); check each key is needed and turn off API access for the others`,
            { observed: withKeys.length, expected: { max: maxApiKeyAdmins }, measure: keyMeasure },
          )
        : result(
            "PASS",
            API_KEY_ADMINS,
            "api-key-admins",
            withKeys.length === 0
              ? "No admin has API keys enabled"
              : `${withKeys.length} admin${withKeys.length === 1 ? " has" : "s have"} API keys enabled: ${keyNames.join(", ")}`,
            { observed: withKeys.length, expected: { max: maxApiKeyAdmins }, measure: keyMeasure },
          ),
    );

    const customRoles = new Map<string, string[]>();
    for (const admin of active) {
      for (const role of adminRoles(admin).filter((r) => !BUILT_IN.has(normalize(r)))) {
        customRoles.set(role, [...(customRoles.get(role) ?? []), name(admin)]);
      }
    }
    const roleCounts: Record<string, number> = {};
    for (const admin of active) {
      const roles = adminRoles(admin);
      for (const role of roles.length ? roles : ["(not reported)"])
        roleCounts[role] = (roleCounts[role] ?? 0) + 1;
    }
    const evidence = {
      activeAdmins: active.length,
      suspendedAdmins: admins.length - active.length,
      fullAdmins: fullNames,
      adminsByRole: roleCounts,
      customRoles: Object.fromEntries(customRoles),
      apiKeyAdmins: withKeys.map((admin) => ({
        admin: name(admin),
        roles: adminRoles(admin),
        fullAdmin: isFullAdmin(admin),
        apiKeySet: admin.apiKeySet === true,
        apiKeyAllowed: admin.apiKeyAllowed === true,
        apiKeyUpdatedAt: admin.apiKeyUpdatedAt ?? null,
      })),
      note: "The guide asks Tier 0 admins for the strongest MFA (WebAuthn/hardware keys); admin records only report TOTP enrollment, so check the method of each full administrator in the console.",
    };

    const summary =
      active.length === 0
        ? "No active admin accounts were returned; expected at least the key's own admin."
        : `${full.length} of ${active.length} active admins hold a full Administrator role (expected ${minFullAdmins}-${maxFullAdmins})${listed}; ${withKeys.length} with API keys enabled (review above ${maxApiKeyAdmins})${customRoles.size ? `; custom roles: ${[...customRoles.keys()].join(", ")}` : ""}.`;
    return { results, summary, evidence, ...(active.length === 0 ? { status: "MANUAL" as const } : {}) };
  },
});
