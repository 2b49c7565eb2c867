import { describe, expect, it } from "vitest";
import { compareFindings } from "../../../lambdas/engine/regressions.js";
import { admin } from "../../../sim/presets/builders.js";
import type { Doc } from "../../../sim/query.js";
import { auditControl, auditPreset, failing, hexId, NOW, useFreshSimulator } from "../../helpers/audit.js";

const { sim, org } = useFreshSimulator();
const byEmail = (email: string) => org().admins.find((a) => a.email === email) as Doc;
const orgId = () => org().organization._id as string;
const addAdmin = (n: number, email: string, roleName: string, extra: Doc = {}) => {
  const doc = admin(hexId(n, "5fad"), orgId(), NOW, { email, roleName });
  Object.assign(doc, extra);
  org().admins.push(doc);
  return doc;
};
const countResult = (finding: Awaited<ReturnType<typeof auditControl>>, check: string) =>
  finding.results.find((r) => r.check === check);

describe("1.2 Implement Least Privilege Administration", () => {
  it("PASS with two full administrators, limited roles for the others and no API keys", async () => {
    const finding = await auditControl(sim(), "1.2");
    expect(finding.status).toBe("PASS");
    expect(finding.counts).toEqual({ PASS: 6, FAIL: 0, MANUAL: 0, MUTED: 0, ERROR: 0 });
    expect(finding.summary).toBe(
      "2 of 4 active admins hold a full Administrator role (expected 2-3): alice.owner@example.com, bob.admin@example.com; 0 with API keys enabled (review above 1).",
    );
    expect(countResult(finding, "full-admin-count")).toMatchObject({
      status: "PASS",
      resourceName: "Full administrators",
      observed: 2,
      expected: { min: 2, max: 3 },
      measure: { value: 2, unit: "full admins", worseWhen: "higher" },
    });
    expect(finding.results.filter((r) => r.check === "role").map((r) => r.message)).toEqual([
      "Administrator With Billing (full administrator)",
      "Administrator (full administrator)",
      "Help Desk (limited built-in role)",
      "Read Only (limited built-in role)",
    ]);
    expect(finding.evidence).toMatchObject({
      activeAdmins: 4,
      suspendedAdmins: 0,
      fullAdmins: ["alice.owner@example.com", "bob.admin@example.com"],
      customRoles: {},
      apiKeyAdmins: [],
    });
  });

  it("FAIL with four full administrators, counting roleNames as well as roleName", async () => {
    addAdmin(1, "erin.ops@example.com", "Administrator");
    addAdmin(2, "frank.multi@example.com", "Manager", {
      roleNames: ["Manager", "Administrator With Billing"],
    });
    const finding = await auditControl(sim(), "1.2");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["Full administrators: full-admin-count"]);
    expect(countResult(finding, "full-admin-count")).toMatchObject({
      message:
        "4 admins hold a full Administrator role, more than 3: alice.owner@example.com, bob.admin@example.com, erin.ops@example.com, frank.multi@example.com",
      observed: 4,
      measure: { value: 4, unit: "full admins", worseWhen: "higher" },
    });
    expect(finding.summary).toMatch(/^4 of 6 active admins hold a full Administrator role \(expected 2-3\)/);
  });

  it("reports more full admins as a regression, first as a newly failing count then as a worse value", async () => {
    const before = await auditControl(sim(), "1.2");
    addAdmin(1, "erin.ops@example.com", "Administrator");
    addAdmin(2, "frank.ops@example.com", "Administrator");
    const four = await auditControl(sim(), "1.2");
    expect(compareFindings(before, four).regressions.map((r) => [r.kind, r.from, r.to])).toEqual([
      ["status", "PASS", "FAIL"],
      ["resource", "PASS", "FAIL"],
    ]);
    addAdmin(3, "gina.ops@example.com", "Administrator");
    const five = await auditControl(sim(), "1.2");
    expect(compareFindings(four, five).regressions.map((r) => [r.kind, r.from, r.to])).toEqual([
      ["value", "4 full admins", "5 full admins"],
    ]);
  });

  it("ignores suspended full administrators", async () => {
    addAdmin(1, "old.admin@example.com", "Administrator", { suspended: true });
    addAdmin(2, "older.admin@example.com", "Administrator With Billing", { suspended: true });
    const finding = await auditControl(sim(), "1.2");
    expect(finding.status).toBe("PASS");
    expect(countResult(finding, "full-admin-count")?.observed).toBe(2);
    expect(finding.evidence).toMatchObject({ activeAdmins: 4, suspendedAdmins: 2 });
  });

  it("MANUAL, not FAIL, with a single full administrator (break-glass concern)", async () => {
    byEmail("bob.admin@example.com").roleName = "Manager";
    const finding = await auditControl(sim(), "1.2");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding)).toEqual([]);
    expect(failing(finding, "MANUAL")).toEqual(["Full administrators: full-admin-count"]);
    expect(countResult(finding, "full-admin-count")?.message).toBe(
      "Only 1 admin holds a full Administrator role (alice.owner@example.com), fewer than 2; check that a break-glass account exists",
    );
  });

  it("MANUAL when no active admin holds a full role", async () => {
    byEmail("alice.owner@example.com").roleName = "Manager";
    byEmail("bob.admin@example.com").roleName = "Read Only";
    const finding = await auditControl(sim(), "1.2");
    expect(finding.status).toBe("MANUAL");
    expect(countResult(finding, "full-admin-count")?.message).toMatch(/^No non-suspended admin holds a full/);
  });

  it("lists one admin with an API key without a finding", async () => {
    Object.assign(byEmail("bob.admin@example.com"), {
      apiKeyAllowed: true,
      apiKeySet: true,
      apiKeyUpdatedAt: "2026-06-01T00:00:00.000Z",
    });
    const finding = await auditControl(sim(), "1.2");
    expect(finding.status).toBe("PASS");
    expect(countResult(finding, "api-key-admins")?.message).toBe(
      "1 admin has API keys enabled: bob.admin@example.com",
    );
    expect(finding.evidence?.apiKeyAdmins).toEqual([
      {
        admin: "bob.admin@example.com",
        roles: ["Administrator"],
        fullAdmin: true,
        apiKeySet: true,
        apiKeyAllowed: true,
        apiKeyUpdatedAt: "2026-06-01T00:00:00.000Z",
      },
    ]);
  });

  it("MANUAL when more admins than maxApiKeyAdmins have API keys (apiKeyAllowed alone counts)", async () => {
    Object.assign(byEmail("bob.admin@example.com"), { apiKeyAllowed: true, apiKeySet: true });
    byEmail("carol.helpdesk@example.com").apiKeyAllowed = true;
    addAdmin(1, "gone.key@example.com", "Read Only", { apiKeySet: true, suspended: true });
    const finding = await auditControl(sim(), "1.2");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual(["Admins with API keys: api-key-admins"]);
    expect(countResult(finding, "api-key-admins")).toMatchObject({
      message:
        "2 admins have API keys enabled, more than 1 (bob.admin@example.com, carol.helpdesk@example.com); check each key is needed and turn off API access for the others",
      measure: { value: 2, unit: "admins with API keys", worseWhen: "higher" },
    });
  });

  it("reports custom roles in the evidence", async () => {
    byEmail("carol.helpdesk@example.com").roleName = "Device Ops";
    addAdmin(1, "gina.ops@example.com", "Help Desk", { roleNames: ["Help Desk", "Device Ops"] });
    const finding = await auditControl(sim(), "1.2");
    expect(finding.status).toBe("PASS");
    expect(finding.evidence?.customRoles).toEqual({
      "Device Ops": ["carol.helpdesk@example.com", "gina.ops@example.com"],
    });
    expect(finding.results.find((r) => r.resourceName === "carol.helpdesk@example.com")?.message).toBe(
      "Device Ops (custom role)",
    );
    expect(finding.summary).toMatch(/; custom roles: Device Ops\.$/);
  });

  it("MANUAL for an admin whose role the API does not report", async () => {
    delete byEmail("dave.auditor@example.com").roleName;
    const finding = await auditControl(sim(), "1.2");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual(["dave.auditor@example.com: role"]);
  });

  it("counts full administrators beyond the first page (>100 admins)", async () => {
    for (let i = 0; i < 150; i++) {
      addAdmin(i, `ops${i}@example.com`, i === 120 || i === 140 ? "Administrator" : "Read Only");
    }
    const finding = await auditControl(sim(), "1.2");
    expect(finding.status).toBe("FAIL");
    expect(countResult(finding, "full-admin-count")?.message).toBe(
      "4 admins hold a full Administrator role, more than 3: alice.owner@example.com, bob.admin@example.com, ops120@example.com, ops140@example.com",
    );
    expect(finding.results.filter((r) => r.check === "role")).toHaveLength(154);
  });

  it("MANUAL when no admin is returned at all", async () => {
    org().admins = [];
    const finding = await auditControl(sim(), "1.2");
    expect(finding.status).toBe("MANUAL");
    expect(finding.summary).toBe(
      "No active admin accounts were returned; expected at least the key's own admin.",
    );
  });

  it("honours maxFullAdmins overrides in both directions", async () => {
    const stricter = await auditControl(sim(), "1.2", {
      thresholds: { "1.2": { maxFullAdmins: 1, minFullAdmins: 1 } },
    });
    expect(stricter.status).toBe("FAIL");
    expect(countResult(stricter, "full-admin-count")?.message).toMatch(
      /^2 admins hold a full Administrator role, more than 1/,
    );
    addAdmin(1, "erin.ops@example.com", "Administrator");
    addAdmin(2, "frank.ops@example.com", "Administrator");
    expect((await auditControl(sim(), "1.2")).status).toBe("FAIL");
    const looser = await auditControl(sim(), "1.2", { thresholds: { "1.2": { maxFullAdmins: 4 } } });
    expect(looser.status).toBe("PASS");
    expect(looser.summary).toMatch(/\(expected 2-4\)/);
  });

  it("honours minFullAdmins and maxApiKeyAdmins overrides", async () => {
    byEmail("bob.admin@example.com").roleName = "Manager";
    expect((await auditControl(sim(), "1.2", { thresholds: { "1.2": { minFullAdmins: 1 } } })).status).toBe(
      "PASS",
    );
    byEmail("carol.helpdesk@example.com").apiKeySet = true;
    const none = await auditControl(sim(), "1.2", {
      thresholds: { "1.2": { minFullAdmins: 1, maxApiKeyAdmins: 0 } },
    });
    expect(none.status).toBe("MANUAL");
    expect(failing(none, "MANUAL")).toEqual(["Admins with API keys: api-key-admins"]);
  });

  it("rejects invalid threshold overrides", async () => {
    await expect(
      auditControl(sim(), "1.2", { thresholds: { "1.2": { maxFullAdmins: 0 } } }),
    ).rejects.toMatchObject({
      name: "EngineError",
      code: "INVALID_THRESHOLD",
    });
    await expect(
      auditControl(sim(), "1.2", { thresholds: { "1.2": { maxFullAdmins: "3" } } }),
    ).rejects.toMatchObject({
      code: "INVALID_THRESHOLD",
    });
    await expect(
      auditControl(sim(), "1.2", { thresholds: { "1.2": { maxAdmins: 3 } } }),
    ).rejects.toMatchObject({
      code: "INVALID_THRESHOLD",
    });
  });

  it("ERROR, never PASS, when admins cannot be read", async () => {
    sim().faults.add({ kind: "status", status: 500, path: "/api/users" });
    const finding = await auditControl(sim(), "1.2");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error).toMatchObject({
      code: "SERVER_ERROR",
      datasets: [{ dataset: "admins", status: 500 }],
    });
  });

  it("demo preset: FAIL on four full administrators; bob's API key is listed, not flagged", async () => {
    const finding = await auditPreset("demo", "1.2");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["Full administrators: full-admin-count"]);
    expect(failing(finding, "MANUAL")).toEqual([]);
    expect(finding.evidence?.fullAdmins).toEqual([
      "alice.owner@example.com",
      "bob.admin@example.com",
      "erin.ops@example.com",
      "frank.contractor@example.com",
    ]);
    expect(((finding.evidence?.apiKeyAdmins ?? []) as { admin: string }[]).map((a) => a.admin)).toEqual([
      "bob.admin@example.com",
    ]);
    expect(finding.summary).toMatch(/^4 of 6 active admins hold a full Administrator role \(expected 2-3\)/);
  });
});
