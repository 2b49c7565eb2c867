/** 1.1 Secure Admin Portal Access: admin MFA required globally and on every active admin, and enrolled. */
import type { RemediationAction } from "../remediation/actions.js";
import {
  CHECK_RESOURCE_TYPE,
  checkError,
  defineControl,
  isolateCheck,
  type ResourceResult,
  result,
} from "./types.js";
import {
  type Doubt,
  describeReading,
  doubtOf,
  fieldsOf,
  notAnObject,
  preview,
  readBoolean,
  readList,
  readObject,
  readString,
  textOf,
  worstStatusOf,
} from "./values.js";

/** Names an admin for results; `index` names entries without a usable id. */
export function adminResource(admin: unknown, index: number): { type: string; id: string; name: string } {
  const fields = fieldsOf(admin) ?? {};
  const id = textOf(fields._id, `admins[${index}]`);
  const name = [textOf(fields.firstname, ""), textOf(fields.lastname, "")].filter(Boolean).join(" ");
  return { type: "admin", id, name: textOf(fields.email, name || id) };
}

/**
 * Whether an admin counts: `suspended` true → suspended, false → active. Not reported or of another type →
 * unread: a verdict that holds whether or not the admin is suspended still stands, any other is not given.
 */
export function adminActivity(fields: Readonly<Record<string, unknown>>): "active" | "suspended" | Doubt {
  const suspended = readBoolean(fields.suspended);
  if (suspended.state === "value") return suspended.value ? "suspended" : "active";
  return doubtOf("suspended", suspended, "<field> not reported");
}

/** The organization as a result resource. */
function orgResource(organization: unknown) {
  const fields = fieldsOf(organization) ?? {};
  const id = textOf(fields._id, "organization");
  return { type: "organization", id, name: textOf(fields.displayName, id) };
}

/** The global (organization-wide) admin MFA requirement. */
function judgeGlobal(organization: unknown): ResourceResult[] {
  const org = orgResource(organization);
  const check = "require-admin-mfa";
  const fields = fieldsOf(organization);
  if (!fields) {
    return [result("ERROR", org, check, `The organization is ${notAnObject(organization)}`)];
  }
  const settings = readObject(fields.settings);
  const required = settings.state === "value" ? readBoolean(settings.value.requireAdminMFA) : settings;
  const where = "check Settings → Security → Admin Accounts";
  if (required.state === "value") {
    return [
      result(
        required.value ? "PASS" : "FAIL",
        org,
        check,
        `Global admin MFA requirement is ${required.value ? "on" : "off"}`,
        { observed: required.value, expected: true },
      ),
    ];
  }
  if (required.state === "absent") {
    return [
      result("MANUAL", org, check, `The API did not report requireAdminMFA; ${where}`, {
        observed: null,
        expected: true,
      }),
    ];
  }
  const field = settings.state === "value" ? "requireAdminMFA" : "settings";
  return [
    result("ERROR", org, check, `${field} is ${describeReading(required)}; ${where}`, {
      observed: preview(required.raw),
      expected: true,
    }),
  ];
}

/** One admin's MFA: required and enrolled; undefined for a suspended admin. */
function judgeAdmin(admin: unknown, index: number): ResourceResult | undefined {
  const resource = adminResource(admin, index);
  const check = "admin-mfa";
  const fields = fieldsOf(admin);
  if (!fields) return result("ERROR", resource, check, `The admin record is ${notAnObject(admin)}`);
  const activity = adminActivity(fields);
  if (activity === "suspended") return undefined;
  const required = readBoolean(fields.enableMultiFactor);
  const enrolled = readBoolean(fields.totpEnrolled);
  const observed = {
    required: required.state === "value" ? required.value : null,
    enrolled: enrolled.state === "value" ? enrolled.value : null,
  };
  const expected = { required: true, enrolled: true };
  const problems = [
    ...(required.state === "value" && !required.value ? ["MFA not required"] : []),
    ...(enrolled.state === "value" && !enrolled.value ? ["no TOTP enrolled"] : []),
  ];
  const doubts = [
    ...(required.state === "value" ? [] : [doubtOf("enableMultiFactor", required, "<field> not reported")]),
    ...(enrolled.state === "value" ? [] : [doubtOf("totpEnrolled", enrolled, "<field> not reported")]),
  ];
  if (problems.length === 0 && doubts.length === 0) {
    // Required and enrolled: compliant whether or not the admin is suspended.
    return result("PASS", resource, check, "MFA required and enrolled", { observed });
  }
  // A reported false is a FAIL even when the other field could not be read; the unread one is named.
  const base = problems.length
    ? { status: "FAIL" as const, message: [...problems, ...doubts.map((d) => d.reason)].join(", ") }
    : {
        status: worstStatusOf(doubts),
        message: `${doubts.map((d) => d.reason).join(", ")}; check this admin in Admins`,
      };
  if (activity === "active")
    return result(base.status, resource, check, base.message, { observed, expected });
  const status = activity.status === "ERROR" || base.status === "ERROR" ? "ERROR" : "MANUAL";
  return result(status, resource, check, `${activity.reason}; if active: ${base.message}`, {
    observed,
    expected,
  });
}

/** The admin MFA check over every admin; a list without any active admin is a MANUAL review. */
function judgeAdmins(admins: unknown): ResourceResult[] {
  const list = readList(admins);
  if (list.state !== "value") return [checkError("admin-mfa", `The admins list is ${describeReading(list)}`)];
  const results = list.value.flatMap((admin, index) => judgeAdmin(admin, index) ?? []);
  if (results.length > 0) return results;
  return [
    result(
      "MANUAL",
      { type: CHECK_RESOURCE_TYPE, id: "admin-mfa", name: "admin-mfa" },
      "admin-mfa",
      "No active admin accounts were returned; expected at least the key's own admin",
    ),
  ];
}

/** Plans `enableMultiFactor: true` for each active admin read as false; anything unread is only reported. */
function planAdminMfa(admins: unknown): {
  actions: RemediationAction[];
  unread: string[];
  unenrolled: string[];
} {
  const list = readList(admins);
  const out = { actions: [] as RemediationAction[], unread: [] as string[], unenrolled: [] as string[] };
  if (list.state !== "value") {
    out.unread.push(`the admins list (${describeReading(list)})`);
    return out;
  }
  list.value.forEach((admin, index) => {
    const resource = adminResource(admin, index);
    const fields = fieldsOf(admin);
    const id = readString(fields?._id);
    if (!fields || id.state !== "value" || id.value === "") {
      out.unread.push(`${resource.name} (no readable id)`);
      return;
    }
    const activity = adminActivity(fields);
    if (activity === "suspended") return;
    const required = readBoolean(fields.enableMultiFactor);
    const enrolled = readBoolean(fields.totpEnrolled);
    if (activity === "active" && enrolled.state === "value" && !enrolled.value)
      out.unenrolled.push(resource.name);
    if (required.state === "value" && required.value) return;
    // Never plan from a value that was not read: rollback would write the guessed "before" back.
    if (activity !== "active" || required.state !== "value") {
      const why =
        activity === "active" ? doubtOf("enableMultiFactor", required, "<field> not reported") : activity;
      out.unread.push(`${resource.name} (${why.reason})`);
      return;
    }
    out.actions.push({
      kind: "admin-mfa",
      id: `1.1:admin:${id.value}`,
      controlId: "1.1",
      resource: { ...resource, id: id.value },
      field: "enableMultiFactor",
      adminId: id.value,
      before: false,
      after: true,
      description: `Require MFA for admin ${resource.name}`,
    });
  });
  return out;
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
    "A value the API does not report is a MANUAL check, one of another type an ERROR (an admin whose `suspended` is unread is still judged when the verdict does not depend on it)",
  ],
  thresholds: {},
  needs: ["organization", "admins"],
  remediation: {
    automated: "yes",
    description:
      "Sets `enableMultiFactor: true` on each admin lacking it (PUT /api/users/{id}); `requireAdminMFA` is read-only and only reported.",
    plan({ admins }) {
      const planned = planAdminMfa(admins);
      return {
        actions: planned.actions,
        warnings: [
          "requireAdminMFA (the Global MFA Requirement) is read-only in the API: it is reported, never written.",
          ...(planned.unenrolled.length
            ? [
                `Not enrolled, so 1.1 stays FAIL until they enroll at their next login: ${planned.unenrolled.join(", ")}. Remediation can require MFA, not enroll it.`,
              ]
            : []),
          ...(planned.unread.length
            ? [
                `Not planned because a value could not be read; check by hand in Admins: ${planned.unread.join(", ")}.`,
              ]
            : []),
        ],
      };
    },
  },
  audit({ organization, admins }) {
    const results = [
      ...isolateCheck("require-admin-mfa", () => judgeGlobal(organization)),
      ...isolateCheck("admin-mfa", () => judgeAdmins(admins)),
    ];
    // Built from the results only, so it stands whatever a check met.
    const adminResults = results.filter(
      (r) => r.check === "admin-mfa" && r.resourceType !== CHECK_RESOURCE_TYPE,
    );
    const namesOf = (statuses: ResourceResult["status"][]) =>
      adminResults.filter((r) => statuses.includes(r.status)).map((r) => r.resourceName);
    const failing = namesOf(["FAIL"]);
    const unjudged = namesOf(["MANUAL", "ERROR"]);
    const passing = namesOf(["PASS"]).length;
    const global = results.find((r) => r.check === "require-admin-mfa");
    const globalText =
      global?.status === "PASS"
        ? "on"
        : global?.status === "FAIL"
          ? "off"
          : global?.status === "MANUAL"
            ? "not reported"
            : "not evaluated";
    const adminCheckError = results.find(
      (r) => r.check === "admin-mfa" && r.resourceType === CHECK_RESOURCE_TYPE,
    );
    const adminText =
      adminResults.length === 0
        ? adminCheckError?.status === "ERROR"
          ? `Admins could not be judged: ${adminCheckError.message}`
          : "No active admin accounts were returned; expected at least the key's own admin."
        : `${passing} of ${adminResults.length} active admins have MFA required and enrolled (expected all)${failing.length ? `; failing: ${failing.join(", ")}` : ""}${unjudged.length ? `; not judged: ${unjudged.join(", ")}` : ""}`;
    const summary =
      adminResults.length === 0
        ? `${adminText} Global requirement ${globalText}.`
        : `${adminText}; global requirement ${globalText}.`;
    return { results, summary };
  },
});
