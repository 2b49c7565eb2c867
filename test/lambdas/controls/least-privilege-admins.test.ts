import { describe, expect, it } from "vitest";
import { leastPrivilegeAdmins } from "../../../lambdas/controls/least-privilege-admins.js";
import { statusFromResults } from "../../../lambdas/engine/findings.js";
import { compareFindings } from "../../../lambdas/engine/regressions.js";
import type { AdminUser } from "../../../lambdas/jumpcloud/types.js";
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

/**
 * Pure audits over hand-built data: an admin whose suspension, roles or key flags cannot be read is named,
 * and a count it could push across a limit is neither PASS nor FAIL; a count that fails whatever the
 * unread admins hold still FAILs, and the other checks stand.
 */
describe("1.2 on odd data (tolerant reading, check isolation)", () => {
  const LIMITS = { maxFullAdmins: 3, minFullAdmins: 2, maxApiKeyAdmins: 1 } as const;
  let n = 0;
  const adminDoc = (roleName: unknown, over: Record<string, unknown> = {}): Record<string, unknown> => {
    n++;
    return {
      _id: hexId(n, "5fa1"),
      email: `admin${n}@example.com`,
      roleName,
      enableMultiFactor: true,
      totpEnrolled: true,
      suspended: false,
      apiKeyAllowed: false,
      apiKeySet: false,
      ...over,
    };
  };
  const compliant = () => {
    n = 0;
    return [adminDoc("Administrator With Billing"), adminDoc("Administrator"), adminDoc("Help Desk")];
  };
  const run = (admins: unknown) => {
    const outcome = leastPrivilegeAdmins.audit({ admins: admins as AdminUser[] }, LIMITS, NOW);
    return { ...outcome, status: outcome.status ?? statusFromResults(outcome.results) };
  };
  const of = (outcome: ReturnType<typeof run>, check: string) =>
    outcome.results.filter((r) => r.check === check);

  it("PASS on the compliant shape", () => {
    const outcome = run(compliant());
    expect(outcome.results.map((r) => `${r.resourceName}: ${r.check}: ${r.status}`)).toEqual([
      "admin1@example.com: role: PASS",
      "admin2@example.com: role: PASS",
      "admin3@example.com: role: PASS",
      "Full administrators: full-admin-count: PASS",
      "Admins with API keys: api-key-admins: PASS",
    ]);
  });

  it.each([
    ["a number", 5, "ERROR", "roleName is 5 (expected a string); check its role in Admins"],
    [
      "a list",
      ["Administrator"],
      "ERROR",
      'roleName is ["Administrator"] (expected a string); check its role in Admins',
    ],
    [
      "an object",
      { name: "Administrator" },
      "ERROR",
      'roleName is {"name":"Administrator"} (expected a string); check its role in Admins',
    ],
    ["null", null, "MANUAL", "The API reported no role for this admin; check its role in Admins"],
  ])(
    "`roleName` as %s is never a PASS of the role check; the count stays judged",
    (_kind, roleName, status, message) => {
      const admins = compliant();
      (admins[2] as Record<string, unknown>).roleName = roleName;
      const outcome = run(admins);
      expect(of(outcome, "role")[2]).toMatchObject({ status, message });
      // 2 surely full, 1 perhaps: 2-3 is within 2-3 whatever that admin holds.
      expect(of(outcome, "full-admin-count")[0]).toMatchObject({
        status: "PASS",
        message: expect.stringMatching(/; not judged, but within the limit either way: admin3@example.com: /),
      });
      expect(of(outcome, "full-admin-count")[0]?.measure).toBeUndefined();
      expect(outcome.status).toBe(status);
    },
  );

  it("`roleNames` that is not a list, or holds a non-string, is ERROR naming it", () => {
    const admins = compliant();
    Object.assign(admins[2] as Record<string, unknown>, { roleNames: "Administrator" });
    admins.push(adminDoc("Read Only", { roleNames: ["Read Only", 3] }));
    const outcome = run(admins);
    expect(of(outcome, "role").slice(2)).toMatchObject([
      {
        status: "ERROR",
        message: 'roleNames is "Administrator" (expected a list) (read: Help Desk); check its role in Admins',
      },
      {
        status: "ERROR",
        message: "roleNames[1] is 3 (expected a string) (read: Read Only); check its role in Admins",
      },
    ]);
  });

  it("a count an unread admin could push above the limit is not judged; one above it whatever they hold FAILs", () => {
    const three = [...compliant(), adminDoc("Administrator")];
    const unsure = run([...three, adminDoc(7)]);
    expect(of(unsure, "full-admin-count")[0]).toMatchObject({
      status: "ERROR",
      message: expect.stringMatching(
        /^3 admins hold a full Administrator role: .*, and 1 more may \(admin5@example.com: roleName is 7 \(expected a string\)\): cannot tell whether the count is within 2-3$/,
      ),
    });
    const four = run([...compliant(), adminDoc("Administrator"), adminDoc("Administrator"), adminDoc(7)]);
    expect(of(four, "full-admin-count")[0]).toMatchObject({
      status: "FAIL",
      message: expect.stringMatching(
        /^4 admins hold a full Administrator role, more than 3: .*; not judged: admin6@example.com: roleName is 7/,
      ),
    });
    expect(four.status).toBe("FAIL");
  });

  it("a full admin whose `suspended` is unread may count: not judged when it decides the count", () => {
    const outcome = run([
      ...compliant(),
      adminDoc("Administrator"),
      adminDoc("Administrator", { suspended: "no" }),
    ]);
    expect(of(outcome, "full-admin-count")[0]).toMatchObject({
      status: "ERROR",
      message: expect.stringContaining('admin5@example.com: suspended is "no" (expected a boolean)'),
    });
    const below = run([adminDoc("Administrator"), adminDoc("Administrator", { suspended: null })]);
    expect(of(below, "full-admin-count")[0]).toMatchObject({
      status: "MANUAL",
      message: expect.stringContaining("and 1 more may (admin"),
    });
  });

  it("without `apiKeySet`/`apiKeyAllowed` (notes §12.3), `apiKeyUpdatedAt` is the evidence of a key", () => {
    const admins = compliant().map((a) => {
      const { apiKeySet: _s, apiKeyAllowed: _a, ...rest } = a;
      return rest;
    });
    expect(of(run(admins), "api-key-admins")[0]).toMatchObject({
      status: "PASS",
      message: "No admin has API keys enabled",
    });
    (admins[1] as Record<string, unknown>).apiKeyUpdatedAt = "2026-06-01T00:00:00.000Z";
    const one = run(admins);
    expect(of(one, "api-key-admins")[0]).toMatchObject({
      status: "PASS",
      message:
        "1 admin has API keys enabled: admin2@example.com (admin2@example.com: key generated 2026-06-01T00:00:00.000Z, whether it is still set was not reported)",
    });
    expect(one.evidence?.apiKeyAdmins).toEqual([
      {
        admin: "admin2@example.com",
        roles: ["Administrator"],
        fullAdmin: true,
        apiKeySet: null,
        apiKeyAllowed: null,
        apiKeyUpdatedAt: "2026-06-01T00:00:00.000Z",
      },
    ]);
  });

  it("key flags or timestamps of another type are not judged when they could pass the limit", () => {
    const admins = compliant();
    Object.assign(admins[0] as Record<string, unknown>, { apiKeySet: "yes", apiKeyAllowed: undefined });
    const one = run(admins);
    // One unread key cannot exceed a limit of one.
    expect(of(one, "api-key-admins")[0]?.status).toBe("PASS");
    const { apiKeySet: _s, apiKeyAllowed: _a, ...noFlags } = admins[1] as Record<string, unknown>;
    admins[1] = { ...noFlags, apiKeyUpdatedAt: 1717200000 };
    const two = run(admins);
    expect(of(two, "api-key-admins")[0]).toMatchObject({
      status: "ERROR",
      message:
        '0 admins have API keys enabled, and 2 more may (admin1@example.com: apiKeySet is "yes" (expected a boolean); admin2@example.com: apiKeyUpdatedAt is 1717200000 (expected a string)): cannot tell whether more than 1 do',
    });
    expect(of(two, "full-admin-count")[0]?.status).toBe("PASS");
  });

  it("isolation: unreadable roles elsewhere do not hide a count that FAILs", () => {
    const outcome = run([
      ...compliant(),
      adminDoc("Administrator"),
      adminDoc("Administrator"),
      adminDoc("Help Desk", { roleNames: "Admin" }),
    ]);
    expect(outcome.status).toBe("FAIL");
    expect(of(outcome, "role").map((r) => r.status)).toEqual([
      "PASS",
      "PASS",
      "PASS",
      "PASS",
      "PASS",
      "ERROR",
    ]);
    expect(of(outcome, "full-admin-count")[0]?.status).toBe("FAIL");
  });

  it("isolation: a record whose reading throws is ERROR for that admin; the FAIL stands and the summary is built", () => {
    const throwing = new Proxy(adminDoc("Read Only"), {
      get(target, key) {
        if (key === "apiKeySet") throw new Error("getter exploded");
        return Reflect.get(target, key);
      },
    });
    const outcome = run([...compliant(), adminDoc("Administrator"), adminDoc("Administrator"), throwing]);
    expect(outcome.status).toBe("FAIL");
    expect(of(outcome, "role").at(-1)).toMatchObject({
      resourceName: "admins[5]",
      status: "ERROR",
      message: "the admin record could not be read (getter exploded); check its role in Admins",
    });
    expect(outcome.summary).toMatch(
      /^4 \(1 more not judged\) of 6 active admins hold a full Administrator role/,
    );
  });

  it("entries that are not objects, and a list that is not one", () => {
    const outcome = run([null, ...compliant()]);
    expect(of(outcome, "role")[0]).toMatchObject({
      resourceName: "admins[0]",
      status: "ERROR",
      message: "the admin record is null (expected an object); check its role in Admins",
    });
    const notList = run({ totalCount: 3 });
    expect(notList.status).toBe("ERROR");
    expect(notList.results.map((r) => `${r.resourceType}: ${r.check}: ${r.status}`)).toEqual([
      "check: role: ERROR",
      "check: full-admin-count: ERROR",
      "check: api-key-admins: ERROR",
    ]);
    expect(notList.summary).toBe(
      'Could not judge any admin: the admins list is {"totalCount":3} (expected a list).',
    );
  });

  it("a role named like an inherited property is counted as any other", () => {
    const outcome = run([...compliant(), adminDoc("__proto__"), adminDoc("toString")]);
    expect(outcome.evidence?.adminsByRole).toEqual({
      "Administrator With Billing": 1,
      Administrator: 1,
      "Help Desk": 1,
      ["__proto__"]: 1,
      toString: 1,
    });
    expect(Object.keys(outcome.evidence?.customRoles as object)).toEqual(["__proto__", "toString"]);
  });
});
