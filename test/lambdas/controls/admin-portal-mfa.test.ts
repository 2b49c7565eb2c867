import { describe, expect, it } from "vitest";
import { adminPortalMfa } from "../../../lambdas/controls/admin-portal-mfa.js";
import { statusFromResults } from "../../../lambdas/engine/findings.js";
import type { AdminUser, Organization } from "../../../lambdas/jumpcloud/types.js";
import { admin } from "../../../sim/presets/builders.js";
import type { Doc } from "../../../sim/query.js";
import { auditControl, auditPreset, failing, hexId, NOW, useFreshSimulator } from "../../helpers/audit.js";

const { sim, org } = useFreshSimulator();
const byEmail = (email: string) => org().admins.find((a) => a.email === email) as Doc;

describe("1.1 Secure Admin Portal Access", () => {
  it("PASS when the global requirement is on and every active admin has MFA required and enrolled", async () => {
    const finding = await auditControl(sim(), "1.1");
    expect(finding.status).toBe("PASS");
    expect(finding.counts).toEqual({ PASS: 5, FAIL: 0, MANUAL: 0, MUTED: 0, ERROR: 0 });
    expect(finding.summary).toMatch(/4 of 4 active admins/);
  });

  it("FAIL naming the admin whose MFA is not required", async () => {
    byEmail("bob.admin@example.com").enableMultiFactor = false;
    const finding = await auditControl(sim(), "1.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["bob.admin@example.com: admin-mfa"]);
    expect(finding.results.find((r) => r.status === "FAIL")?.message).toBe("MFA not required");
    expect(finding.summary).toMatch(/failing: bob.admin@example.com/);
  });

  it("FAIL when MFA is required but not enrolled", async () => {
    byEmail("carol.helpdesk@example.com").totpEnrolled = false;
    const finding = await auditControl(sim(), "1.1");
    expect(failing(finding)).toEqual(["carol.helpdesk@example.com: admin-mfa"]);
    expect(finding.results.find((r) => r.status === "FAIL")?.message).toBe("no TOTP enrolled");
  });

  it("ignores suspended admins", async () => {
    Object.assign(byEmail("dave.auditor@example.com"), {
      suspended: true,
      enableMultiFactor: false,
      totpEnrolled: false,
    });
    expect((await auditControl(sim(), "1.1")).status).toBe("PASS");
  });

  it("FAIL when the global requirement is off", async () => {
    (org().organization.settings as Doc).requireAdminMFA = false;
    const finding = await auditControl(sim(), "1.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["Acme Secure: require-admin-mfa"]);
  });

  it("MANUAL when the API does not report the global requirement", async () => {
    delete (org().organization.settings as Doc).requireAdminMFA;
    const finding = await auditControl(sim(), "1.1");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual(["Acme Secure: require-admin-mfa"]);
  });

  it("finds a failing admin beyond the first page (>100 admins)", async () => {
    for (let i = 0; i < 150; i++) {
      org().admins.push(
        admin(hexId(i), org().organization._id as string, NOW, {
          email: `ops${i}@example.com`,
          roleName: "Help Desk",
          mfa: i !== 140,
        }),
      );
    }
    const finding = await auditControl(sim(), "1.1");
    expect(failing(finding)).toEqual(["ops140@example.com: admin-mfa"]);
    expect(finding.summary).toMatch(/153 of 154 active admins/);
  });

  it("MANUAL when no admin is returned at all", async () => {
    org().admins = [];
    const finding = await auditControl(sim(), "1.1");
    expect(finding.status).toBe("MANUAL");
    expect(finding.summary).toMatch(/No active admin accounts/);
  });

  it("ERROR, never PASS, when admins cannot be read", async () => {
    sim().faults.add({ kind: "status", status: 500, path: "/api/users" });
    const finding = await auditControl(sim(), "1.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error).toMatchObject({
      code: "SERVER_ERROR",
      datasets: [{ dataset: "admins", status: 500 }],
    });
    expect(finding.summary).toMatch(/^Could not evaluate: admins:/);
  });

  it("ERROR when the organization cannot be read", async () => {
    sim().faults.add({ kind: "status", status: 403, path: "/api/organizations/*" });
    const finding = await auditControl(sim(), "1.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.error?.datasets.map((d) => d.dataset)).toEqual(["organization"]);
  });

  it("is not plan-gated: admin MFA is on every plan", async () => {
    sim().scenario.plan = "free";
    expect((await auditControl(sim(), "1.1", { plan: "free" })).status).toBe("PASS");
  });

  it("has no thresholds to override", async () => {
    await expect(auditControl(sim(), "1.1", { thresholds: { "1.1": { maxAdmins: 1 } } })).rejects.toThrow(
      /Control 1.1 has no threshold "maxAdmins" \(it has none\)/,
    );
  });

  it("demo preset: FAIL on the contractor admin without MFA; the suspended admin is ignored", async () => {
    const finding = await auditPreset("demo", "1.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["frank.contractor@example.com: admin-mfa"]);
    expect(finding.results.some((r) => r.resourceName === "old.admin@example.com")).toBe(false);
  });
});

/**
 * Pure audits over hand-built data: a value the verdict depends on that is not reported (MANUAL) or of
 * another type (ERROR) is never PASS, and never FAIL as if it were false; the other check stands.
 */
describe("1.1 on odd data (tolerant reading, check isolation)", () => {
  const orgDoc = (settings: unknown = { requireAdminMFA: true }) => ({
    _id: "5f0100000000000000000001",
    displayName: "Acme Secure",
    settings,
  });
  const adminDoc = (over: Record<string, unknown> = {}, n = 1): Record<string, unknown> => ({
    _id: hexId(n, "5fa0"),
    email: `admin${n}@example.com`,
    roleName: "Administrator",
    enableMultiFactor: true,
    totpEnrolled: true,
    suspended: false,
    ...over,
  });
  const run = (data: { org?: unknown; admins?: unknown } = {}) => {
    const outcome = adminPortalMfa.audit(
      {
        organization: (data.org ?? orgDoc()) as Organization,
        admins: (data.admins ?? [adminDoc()]) as AdminUser[],
      },
      {},
      NOW,
    );
    return { ...outcome, status: outcome.status ?? statusFromResults(outcome.results) };
  };
  const rows = (outcome: ReturnType<typeof run>) =>
    outcome.results.map((r) => `${r.resourceName}: ${r.check}: ${r.status}`);
  const without = (doc: Record<string, unknown>, field: string) => {
    const { [field]: _gone, ...rest } = doc;
    return rest;
  };

  it("PASS on the compliant shape", () => {
    const outcome = run();
    expect(rows(outcome)).toEqual([
      "Acme Secure: require-admin-mfa: PASS",
      "admin1@example.com: admin-mfa: PASS",
    ]);
    expect(outcome.summary).toBe(
      "1 of 1 active admins have MFA required and enrolled (expected all); global requirement on.",
    );
  });

  const SWAPS: [string, unknown, "ERROR" | "MANUAL", string][] = [
    ["a number", 1, "ERROR", "is 1 (expected a boolean)"],
    ["a word", "yes", "ERROR", 'is "yes" (expected a boolean)'],
    ["a list", [true], "ERROR", "is [true] (expected a boolean)"],
    ["an object", { on: true }, "ERROR", 'is {"on":true} (expected a boolean)'],
    ["null", null, "MANUAL", "not reported"],
  ];

  for (const field of ["enableMultiFactor", "totpEnrolled"]) {
    it.each(SWAPS)(
      `admin \`${field}\` as %s is never PASS and names the field`,
      (_kind, value, status, words) => {
        const outcome = run({ admins: [adminDoc({ [field]: value })] });
        expect(outcome.results[1]).toMatchObject({
          check: "admin-mfa",
          status,
          message: `${field} ${words}; check this admin in Admins`,
        });
        expect(outcome.results[0]?.status).toBe("PASS");
        expect(outcome.status).toBe(status);
        expect(outcome.summary).toMatch(/^0 of 1 active admins .*; not judged: admin1@example.com; global/);
      },
    );

    it(`admin \`${field}\` absent is MANUAL, not FAIL`, () => {
      const outcome = run({ admins: [without(adminDoc(), field)] });
      expect(outcome.results[1]).toMatchObject({
        status: "MANUAL",
        message: expect.stringContaining(`${field} not reported`),
      });
    });
  }

  it("a reported false is FAIL even when the other field cannot be read, which is named", () => {
    const outcome = run({ admins: [adminDoc({ enableMultiFactor: false, totpEnrolled: "x" })] });
    expect(outcome.results[1]).toMatchObject({
      status: "FAIL",
      message: 'MFA not required, totpEnrolled is "x" (expected a boolean)',
    });
  });

  it.each([
    ["a number", { requireAdminMFA: 1 }, "ERROR", /^requireAdminMFA is 1 \(expected a boolean\)/],
    ["a word", { requireAdminMFA: "on" }, "ERROR", /^requireAdminMFA is "on" \(expected a boolean\)/],
    ["a list", { requireAdminMFA: [] }, "ERROR", /^requireAdminMFA is \[\] \(expected a boolean\)/],
    ["null", { requireAdminMFA: null }, "MANUAL", /^The API did not report requireAdminMFA/],
    ["settings as text", "locked", "ERROR", /^settings is "locked" \(expected an object\)/],
  ])("`requireAdminMFA` with %s is never PASS; the admins stand", (_kind, settings, status, reason) => {
    const outcome = run({ org: orgDoc(settings) });
    expect(outcome.results[0]).toMatchObject({
      check: "require-admin-mfa",
      status,
      message: expect.stringMatching(reason),
    });
    expect(outcome.results[1]?.status).toBe("PASS");
    expect(outcome.status).toBe(status);
  });

  it("an organization that is not an object is ERROR for the global check only", () => {
    const outcome = run({ org: "acme" });
    expect(rows(outcome)).toEqual([
      "organization: require-admin-mfa: ERROR",
      "admin1@example.com: admin-mfa: PASS",
    ]);
    expect(outcome.results[0]?.message).toBe('The organization is "acme" (expected an object)');
  });

  it("an admin whose `suspended` is unread: a PASS holds either way, a FAIL is not given", () => {
    const outcome = run({
      admins: [
        adminDoc({ suspended: "no" }, 1),
        adminDoc({ suspended: "no", enableMultiFactor: false }, 2),
        without(adminDoc({ enableMultiFactor: false }, 3), "suspended"),
      ],
    });
    expect(rows(outcome).slice(1)).toEqual([
      "admin1@example.com: admin-mfa: PASS",
      "admin2@example.com: admin-mfa: ERROR",
      "admin3@example.com: admin-mfa: MANUAL",
    ]);
    expect(outcome.results[2]?.message).toBe(
      'suspended is "no" (expected a boolean); if active: MFA not required',
    );
    expect(outcome.results[3]?.message).toBe("suspended not reported; if active: MFA not required");
  });

  it("entries that are not objects are ERROR each; the other admins stand", () => {
    const outcome = run({ admins: [null, "bob", 7, adminDoc()] });
    expect(rows(outcome).slice(1)).toEqual([
      "admins[0]: admin-mfa: ERROR",
      "admins[1]: admin-mfa: ERROR",
      "admins[2]: admin-mfa: ERROR",
      "admin1@example.com: admin-mfa: PASS",
    ]);
    expect(outcome.results[1]?.message).toBe("The admin record is null (expected an object)");
  });

  it("isolation: an unreadable global setting does not hide an admin's FAIL", () => {
    const outcome = run({
      org: orgDoc({ requireAdminMFA: "yes" }),
      admins: [adminDoc({ totpEnrolled: false })],
    });
    expect(outcome.status).toBe("FAIL");
    expect(rows(outcome)).toEqual([
      "Acme Secure: require-admin-mfa: ERROR",
      "admin1@example.com: admin-mfa: FAIL",
    ]);
    expect(outcome.summary).toMatch(/; failing: admin1@example.com; global requirement not evaluated\.$/);
  });

  it("isolation: an admins list that is not a list is one ERROR for its check; the global FAIL stands", () => {
    const outcome = run({ org: orgDoc({ requireAdminMFA: false }), admins: { results: [] } });
    expect(outcome.status).toBe("FAIL");
    expect(outcome.results).toMatchObject([
      { check: "require-admin-mfa", status: "FAIL" },
      {
        resourceType: "check",
        check: "admin-mfa",
        status: "ERROR",
        message: 'The admins list is {"results":[]} (expected a list)',
      },
    ]);
    expect(outcome.summary).toMatch(/^Admins could not be judged: .* Global requirement off\.$/);
  });

  it("isolation: a check that throws becomes one ERROR naming it; the other check's FAIL stands", () => {
    const throwing = new Proxy(adminDoc(), {
      get(target, key) {
        if (key === "enableMultiFactor") throw new Error("getter exploded");
        return Reflect.get(target, key);
      },
    });
    const outcome = run({ org: orgDoc({ requireAdminMFA: false }), admins: [adminDoc({}, 2), throwing] });
    expect(outcome.status).toBe("FAIL");
    expect(outcome.results).toMatchObject([
      { check: "require-admin-mfa", status: "FAIL" },
      {
        resourceType: "check",
        check: "admin-mfa",
        status: "ERROR",
        message: 'Check "admin-mfa" could not be evaluated: getter exploded',
      },
    ]);
    expect(outcome.summary).toMatch(/Global requirement off\.$/);
  });

  it("the planner never plans from a value it could not read, and says which", () => {
    const plan = (admins: unknown) =>
      adminPortalMfa.remediation.plan?.(
        { organization: orgDoc() as Organization, admins: admins as AdminUser[] },
        {},
      );
    const planned = plan([
      adminDoc({ enableMultiFactor: false }, 1),
      without(adminDoc({}, 2), "enableMultiFactor"),
      adminDoc({ enableMultiFactor: 0 }, 3),
      adminDoc({ enableMultiFactor: false, suspended: "x" }, 4),
      adminDoc({ enableMultiFactor: false, suspended: true }, 5),
      adminDoc({ _id: 42, enableMultiFactor: false }, 6),
    ]);
    expect(planned?.actions).toMatchObject([
      { kind: "admin-mfa", adminId: hexId(1, "5fa0"), before: false, after: true },
    ]);
    expect(planned?.warnings.at(-1)).toBe(
      'Not planned because a value could not be read; check by hand in Admins: admin2@example.com (enableMultiFactor not reported), admin3@example.com (enableMultiFactor is 0 (expected a boolean)), admin4@example.com (suspended is "x" (expected a boolean)), admin6@example.com (no readable id).',
    );
    expect(plan("nope")).toMatchObject({ actions: [] });
    expect(plan("nope")?.warnings.at(-1)).toMatch(/the admins list \("nope" \(expected a list\)\)/);
  });
});
