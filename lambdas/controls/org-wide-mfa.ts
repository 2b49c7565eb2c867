/** 2.1 Enforce Organization-Wide MFA: an unconditional all-users User Portal MFA policy, and every active user enrolled. */
import type { AuthnPolicy, SystemUser } from "../jumpcloud/types.js";
import { allUsersMfaPolicy, REMEDIATION_NAMES } from "../remediation/bodies.js";
import { defineControl, type ResourceResult, result } from "./types.js";

/** Names a directory user for results. */
export function userResource(user: SystemUser): { type: string; id: string; name: string } {
  const name = [user.firstname, user.lastname].filter(Boolean).join(" ");
  return { type: "user", id: user._id, name: user.email ?? user.username ?? (name || user._id) };
}

/** Whether a user is active: `state` ACTIVATED (or, without `state`, `activated`) and not suspended. */
export function isActiveUser(user: SystemUser): boolean {
  const state = user.state ?? (user.activated === true ? "ACTIVATED" : undefined);
  return state === "ACTIVATED" && user.suspended !== true;
}

/** Whether a user has MFA enrolled: TOTP configured or an overall enrollment of ENROLLED. */
export function isMfaEnrolled(user: SystemUser): boolean {
  return user.totp_enabled === true || user.mfaEnrollment?.overallStatus === "ENROLLED";
}

/** Whether a policy requires MFA on allow (`effect.action` allow and `obligations.mfa.required`). */
function requiresMfa(policy: AuthnPolicy): boolean {
  return policy.effect?.action === "allow" && policy.effect.obligations?.mfa?.required === true;
}

/** Whether a policy covers the User Portal (type defaults to `user_portal`; resources, when given, include it). */
function coversUserPortal(policy: AuthnPolicy): boolean {
  const resources = policy.targets?.resources ?? [];
  return (
    (policy.type ?? "user_portal") === "user_portal" &&
    (resources.length === 0 || resources.some((r) => r.type === "user_portal" && !r.id))
  );
}

/** Whether a policy has conditions (IP lists, locations, device state): then it does not apply everywhere. */
function isConditional(policy: AuthnPolicy): boolean {
  return (
    policy.conditions !== undefined && policy.conditions !== null && Object.keys(policy.conditions).length > 0
  );
}

/** Whether a policy targets all users (not only groups or user attributes). */
function targetsAllUsers(policy: AuthnPolicy): boolean {
  return policy.targets?.users?.inclusions?.includes("ALL") === true;
}

/** What narrows an all-users policy: excluded groups or attributes, or inclusions that may intersect with ALL. */
function narrowing(policy: AuthnPolicy): {
  groupExclusions: string[];
  attributeExclusions: unknown[];
  inclusions: unknown[];
} {
  const attributes = (policy.targets?.userAttributes ?? {}) as {
    inclusions?: unknown[];
    exclusions?: unknown[];
  };
  return {
    groupExclusions: policy.targets?.userGroups?.exclusions ?? [],
    attributeExclusions: attributes.exclusions ?? [],
    inclusions: [...(policy.targets?.userGroups?.inclusions ?? []), ...(attributes.inclusions ?? [])],
  };
}

const factorsOf = (policy: AuthnPolicy): string[] | "not restricted" =>
  policy.effect?.obligations?.mfaFactors?.map((f) => f.type) ?? "not restricted";
const policyName = (policy: AuthnPolicy) => policy.name ?? policy.id ?? "(unnamed policy)";
const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const SHOWN = 10;
const shortList = (names: string[]) =>
  names.length > SHOWN
    ? `${names.slice(0, SHOWN).join(", ")} and ${names.length - SHOWN} more`
    : names.join(", ");

/** Stable resource for the policy check, whichever policy satisfies it. */
const USER_PORTAL = { type: "user-portal", id: "user_portal", name: "User Portal MFA policy" };

/** The policy check: an enabled User Portal policy requiring MFA for all users, without conditions. */
function judgePolicy(authnPolicies: AuthnPolicy[]) {
  const results: ResourceResult[] = [];
  // The policy: enabled, User Portal, MFA required, all users, no conditions.
  const mfaPolicies = authnPolicies.filter(
    (p) => p.disabled !== true && coversUserPortal(p) && requiresMfa(p),
  );
  const orgWide = mfaPolicies.filter((p) => targetsAllUsers(p) && !isConditional(p));
  const clean = orgWide.find((p) => {
    const n = narrowing(p);
    return n.groupExclusions.length === 0 && n.attributeExclusions.length === 0 && n.inclusions.length === 0;
  });
  const chosen = clean ?? orgWide[0];
  const conditional = mfaPolicies.filter((p) => isConditional(p)).map(policyName);
  const partial = mfaPolicies.filter((p) => !targetsAllUsers(p) && !isConditional(p)).map(policyName);
  const disabled = authnPolicies
    .filter((p) => p.disabled === true && coversUserPortal(p) && requiresMfa(p) && targetsAllUsers(p))
    .map(policyName);
  if (chosen) {
    const n = narrowing(chosen);
    const observed = {
      policy: policyName(chosen),
      id: chosen.id ?? null,
      factors: factorsOf(chosen),
      groupExclusions: n.groupExclusions,
      attributeExclusions: n.attributeExclusions,
    };
    const factors = Array.isArray(observed.factors) ? observed.factors.join(", ") : observed.factors;
    if (chosen === clean) {
      results.push(
        result(
          "PASS",
          USER_PORTAL,
          "mfa-policy",
          `"${policyName(chosen)}" requires MFA for all users without conditions (factors: ${factors})`,
          { observed, expected: { allUsers: true, conditions: "none" } },
        ),
      );
    } else {
      const why = [
        ...(n.groupExclusions.length ? [`excludes user groups ${n.groupExclusions.join(", ")}`] : []),
        ...(n.attributeExclusions.length
          ? [`excludes users by attribute ${JSON.stringify(n.attributeExclusions)}`]
          : []),
        ...(n.inclusions.length
          ? ["also names group or attribute inclusions (whether they narrow ALL is undocumented)"]
          : []),
      ];
      results.push(
        result(
          "MANUAL",
          USER_PORTAL,
          "mfa-policy",
          `"${policyName(chosen)}" requires MFA for all users but ${why.join(" and ")}; check that every exempted user is justified (factors: ${factors})`,
          { observed, expected: { allUsers: true, exclusions: [] } },
        ),
      );
    }
  } else {
    const seen = [
      ...(partial.length ? [`only group-targeted: ${partial.join(", ")}`] : []),
      ...(conditional.length ? [`only conditional: ${conditional.join(", ")}`] : []),
      ...(disabled.length ? [`disabled: ${disabled.join(", ")}`] : []),
    ];
    results.push(
      result(
        "FAIL",
        USER_PORTAL,
        "mfa-policy",
        `No enabled User Portal policy requires MFA for all users without conditions${seen.length ? ` (${seen.join("; ")})` : ""}`,
        {
          observed: { groupTargeted: partial, conditional, disabled },
          expected: { allUsers: true, conditions: "none" },
        },
      ),
    );
  }
  return { results, chosen, clean, partial, conditional, disabled };
}

/**
 * How an MFA exclusion is judged: none or expired → undefined (judge enrollment alone); no expiry or
 * beyond `maxExclusionDays` → FAIL (a standing bypass); a near, readable expiry → MANUAL with its date.
 */
function exclusionVerdict(
  user: SystemUser,
  now: Date,
  maxExclusionDays: number,
): { status: "FAIL" | "MANUAL"; message: string } | undefined {
  if (user.mfa?.exclusion !== true) return undefined;
  const until = user.mfa.exclusionUntil;
  if (!until) return { status: "FAIL", message: "MFA exclusion without expiry" };
  const untilMs = Date.parse(until);
  if (Number.isNaN(untilMs)) {
    return {
      status: "MANUAL",
      message: `MFA exclusion with an unreadable expiry "${until}"; check it in Users → MFA`,
    };
  }
  if (untilMs > now.getTime() + maxExclusionDays * 86_400_000) {
    return {
      status: "FAIL",
      message: `MFA excluded until ${dateOnly(untilMs)}, more than ${maxExclusionDays} days away`,
    };
  }
  if (untilMs > now.getTime()) {
    return {
      status: "MANUAL",
      message: `MFA excluded until ${dateOnly(untilMs)}; check the exclusion is justified and ends then`,
    };
  }
  return undefined;
}

/** Without authentication policies (Free/Core), "Require MFA for User Portal" is a per-user setting. */
function perUserRequirement(user: SystemUser): ResourceResult {
  const required = user.enable_user_portal_multifactor === true;
  return result(
    required ? "PASS" : "FAIL",
    userResource(user),
    "mfa-required",
    required
      ? "User Portal MFA required for this user"
      : "User Portal MFA not required for this user (enable_user_portal_multifactor is off)",
    { observed: required, expected: true },
  );
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
    "Every active user (`state` ACTIVATED, not suspended), across all pages, is enrolled in MFA (`totp_enabled` or `mfaEnrollment.overallStatus` ENROLLED)",
    "MFA exclusions (`mfa.exclusion`): one without an expiry (`mfa.exclusionUntil`) or reaching further than `maxExclusionDays` fails; an active time-limited one is MANUAL with its date; an expired one is ignored",
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
      'Creates an enabled `user_portal` policy requiring MFA for all users (POST /api/v2/authn/policies with `targets.users.inclusions: ["ALL"]` and `mfaFactors` as objects), then re-reads it; re-enables it (PATCH) when such a policy exists but is disabled. Enrollment and exclusions are per user and stay manual: users enroll in the User Portal; remove exclusions in Users → MFA.',
    plan({ authnPolicies }) {
      const manual =
        "Users not enrolled must enroll themselves in the User Portal; MFA exclusions are removed by hand in Users → MFA.";
      if (!authnPolicies) {
        return {
          actions: [],
          warnings: [
            "Authentication policies are not on this plan: require User Portal MFA per user (Users → MFA).",
            manual,
          ],
        };
      }
      if (judgePolicy(authnPolicies).clean) return { actions: [], warnings: [manual] };
      const resource = { type: "authn_policy", name: REMEDIATION_NAMES.allUsersMfaPolicy };
      const disabled = authnPolicies.find(
        (p) =>
          p.disabled === true &&
          p.id &&
          coversUserPortal(p) &&
          requiresMfa(p) &&
          targetsAllUsers(p) &&
          !isConditional(p),
      );
      if (disabled?.id) {
        return {
          actions: [
            {
              kind: "enable-authn-policy",
              id: `2.1:authn_policy:${disabled.id}`,
              controlId: "2.1",
              resource: { type: "authn_policy", id: disabled.id, name: policyName(disabled) },
              field: "disabled",
              policyId: disabled.id,
              before: true,
              after: false,
              description: `Re-enable the all-users MFA policy "${policyName(disabled)}"`,
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
            resource,
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
    },
  },
  audit({ authnPolicies, users }, { maxExclusionDays }, now) {
    const results: ResourceResult[] = [];

    const verdict = authnPolicies ? judgePolicy(authnPolicies) : undefined;
    if (verdict) results.push(...verdict.results);
    const { chosen, clean } = verdict ?? {};

    // Every active user: enrolled, and no standing exclusion.
    const active = users.filter(isActiveUser);
    const exclusions: { user: string; until: string | null; status: string }[] = [];
    for (const user of active) {
      const resource = userResource(user);
      const enrolled = isMfaEnrolled(user);
      const observed = {
        enrolled,
        overallStatus: user.mfaEnrollment?.overallStatus ?? null,
        totp: user.totp_enabled === true,
        exclusion: user.mfa?.exclusion === true,
        exclusionUntil: user.mfa?.exclusionUntil ?? null,
      };
      const expected = { enrolled: true, exclusion: false };
      const enrollment = enrolled
        ? "enrolled"
        : `not enrolled (${observed.overallStatus ?? "status not reported"})`;
      const ldap = user.ldap_binding_user === true ? " (LDAP binding service account)" : "";
      const exclusion = exclusionVerdict(user, now, maxExclusionDays);
      if (exclusion) {
        exclusions.push({
          user: resource.name,
          until: user.mfa?.exclusionUntil ?? null,
          status: exclusion.status,
        });
        results.push(
          result(exclusion.status, resource, "mfa", `${exclusion.message}; ${enrollment}${ldap}`, {
            observed,
            expected,
          }),
        );
        if (!verdict) results.push(perUserRequirement(user));
        continue;
      }
      results.push(
        enrolled
          ? result("PASS", resource, "mfa", "MFA enrolled", { observed })
          : result("FAIL", resource, "mfa", `MFA ${enrollment}${ldap}`, { observed, expected }),
      );
      if (!verdict) results.push(perUserRequirement(user));
    }

    const userResults = results.filter((r) => r.check === "mfa");
    const failing = userResults.filter((r) => r.status === "FAIL").map((r) => r.resourceName);
    const reviewing = userResults.filter((r) => r.status === "MANUAL").map((r) => r.resourceName);
    const enrolledCount = active.filter(isMfaEnrolled).length;
    const policyText = !verdict
      ? `authentication policies are not on this plan, so User Portal MFA was checked per user (${results.filter((r) => r.check === "mfa-required" && r.status === "PASS").length} of ${active.length} required)`
      : chosen
        ? `org-wide MFA policy "${policyName(chosen)}"${chosen === clean ? "" : " (with exclusions)"}`
        : "no org-wide MFA policy (expected one for all users without conditions)";
    const summary =
      active.length === 0
        ? `No active users were returned; ${policyText}.`
        : `${enrolledCount} of ${active.length} active users are enrolled in MFA (expected all)${failing.length ? `; failing: ${shortList(failing)}` : ""}${reviewing.length ? `; excluded for now: ${shortList(reviewing)}` : ""}; ${policyText}.`;
    const evidence = {
      policy: chosen
        ? {
            name: policyName(chosen),
            id: chosen.id ?? null,
            factors: factorsOf(chosen),
            ...narrowing(chosen),
          }
        : null,
      otherMfaPolicies: verdict
        ? { groupTargeted: verdict.partial, conditional: verdict.conditional, disabled: verdict.disabled }
        : "authentication policies not on this plan",
      activeUsers: active.length,
      inactiveUsers: users.length - active.length,
      enrolled: enrolledCount,
      notEnrolled: active.length - enrolledCount,
      exclusions,
    };
    return { results, summary, evidence };
  },
});
