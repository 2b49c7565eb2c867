import { describe, expect, it } from "vitest";
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
