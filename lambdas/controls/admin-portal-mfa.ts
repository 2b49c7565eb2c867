/** 1.1 Secure Admin Portal Access: admin MFA required globally and on every active admin, and enrolled. */
import type { AdminUser } from "../jumpcloud/types.js";
import { defineControl, type ResourceResult, result } from "./types.js";

/** Names an admin for results. */
export function adminResource(admin: AdminUser): { type: string; id: string; name: string } {
  const name = [admin.firstname, admin.lastname].filter(Boolean).join(" ");
  return { type: "admin", id: admin._id, name: admin.email ?? (name || admin._id) };
}

/** Admins that will still fail after remediation: MFA can be required for them, but only they can enroll. */
function unenrolledWarning(admins: AdminUser[]): string[] {
  const names = admins
    .filter((a) => a.suspended !== true && a.totpEnrolled !== true)
    .map((a) => adminResource(a).name);
  return names.length === 0
    ? []
    : [
        `Not enrolled, so 1.1 stays FAIL until they enroll at their next login: ${names.join(", ")}. Remediation can require MFA, not enroll it.`,
      ];
}

/** 1.1 */
export const adminPortalMfa = defineControl({
  id: "1.1",
  title: "Secure Admin Portal Access",
  section: "Admin Account Security",
  level: "L1",
  severity: "critical",
  mappings: { cis: ["5.4"], nist: ["AC-6(1)"], soc2: ["CC6.1"] },
  plans: { availability: "All plans (Appendix A: Admin MFA on Free, Core, Platform, Platform Plus)" },
  rationale:
    "The Admin Portal controls every identity and access setting; a compromised admin can disable security controls, and MFA for admins is critical but often overlooked.",
  manualSteps: [
    "JumpCloud Admin Portal → Security → MFA for Admins: enable Require MFA for Admin Portal",
    "Allow strong methods: TOTP authenticator, WebAuthn (highly recommended), JumpCloud Go",
    "Admins: review every administrator account and verify each has MFA enrolled",
  ],
  checks: [
    "Organization setting `requireAdminMFA` (the non-editable Global MFA Requirement) is on",
    "Every non-suspended admin has MFA required (`enableMultiFactor`) and enrolled (`totpEnrolled`)",
  ],
  thresholds: {},
  needs: ["organization", "admins"],
  remediation: {
    automated: "yes",
    description:
      "Sets `enableMultiFactor: true` on each admin lacking it (PUT /api/users/{id}); `requireAdminMFA` is read-only and only reported.",
    plan({ admins }) {
      const actions = admins
        .filter((admin) => admin.suspended !== true && admin.enableMultiFactor !== true)
        .map((admin) => ({
          kind: "admin-mfa" as const,
          id: `1.1:admin:${admin._id}`,
          controlId: "1.1",
          resource: adminResource(admin),
          field: "enableMultiFactor",
          adminId: admin._id,
          before: admin.enableMultiFactor === true,
          after: true as const,
          description: `Require MFA for admin ${adminResource(admin).name}`,
        }));
      return {
        actions,
        warnings: [
          "requireAdminMFA (the Global MFA Requirement) is read-only in the API: it is reported, never written.",
          ...unenrolledWarning(admins),
        ],
      };
    },
  },
  audit({ organization, admins }) {
    const results: ResourceResult[] = [];
    const org = {
      type: "organization",
      id: organization._id,
      name: organization.displayName ?? organization._id,
    };
    const required = organization.settings?.requireAdminMFA;
    if (required === true)
      results.push(
        result("PASS", org, "require-admin-mfa", "Global admin MFA requirement is on", {
          observed: true,
          expected: true,
        }),
      );
    else if (required === false) {
      results.push(
        result("FAIL", org, "require-admin-mfa", "Global admin MFA requirement is off", {
          observed: false,
          expected: true,
        }),
      );
    } else {
      results.push(
        result(
          "MANUAL",
          org,
          "require-admin-mfa",
          "The API did not report requireAdminMFA; check Settings → Security → Admin Accounts",
          {
            observed: null,
            expected: true,
          },
        ),
      );
    }
    const active = admins.filter((admin) => admin.suspended !== true);
    for (const admin of active) {
      const resource = adminResource(admin);
      const problems = [
        ...(admin.enableMultiFactor === true ? [] : ["MFA not required"]),
        ...(admin.totpEnrolled === true ? [] : ["no TOTP enrolled"]),
      ];
      results.push(
        problems.length === 0
          ? result("PASS", resource, "admin-mfa", "MFA required and enrolled", {
              observed: { required: true, enrolled: true },
            })
          : result("FAIL", resource, "admin-mfa", problems.join(", "), {
              observed: { required: admin.enableMultiFactor === true, enrolled: admin.totpEnrolled === true },
              expected: { required: true, enrolled: true },
            }),
      );
    }
    const failing = results
      .filter((r) => r.check === "admin-mfa" && r.status === "FAIL")
      .map((r) => r.resourceName);
    const summary =
      active.length === 0
        ? "No active admin accounts were returned; expected at least the key's own admin."
        : `${active.length - failing.length} of ${active.length} active admins have MFA required and enrolled (expected all)${failing.length ? `; failing: ${failing.join(", ")}` : ""}; global requirement ${required === true ? "on" : required === false ? "off" : "not reported"}.`;
    return { results, summary, ...(active.length === 0 ? { status: "MANUAL" as const } : {}) };
  },
});
