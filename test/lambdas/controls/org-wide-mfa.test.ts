import { describe, expect, it } from "vitest";
import { mfaPolicy, systemUser } from "../../../sim/presets/builders.js";
import type { Doc } from "../../../sim/query.js";
import { auditControl, auditPreset, failing, hexId, NOW, useFreshSimulator } from "../../helpers/audit.js";

const { sim, org } = useFreshSimulator();
const DAY = 86_400_000;
const policyNamed = (name: string) => org().authnPolicies.find((p) => p.name === name) as Doc;
const allUsersPolicy = () => policyNamed("Require MFA - All Users");
const userNamed = (username: string) => org().systemUsers.find((u) => u.username === username) as Doc;
const orgId = () => org().organization._id as string;
const addUser = (n: number, username: string, opts: Partial<Parameters<typeof systemUser>[3]> = {}) => {
  const doc = systemUser(hexId(n, "5fb0"), orgId(), NOW, { username, ...opts });
  org().systemUsers.push(doc);
  return doc;
};
const exclude = (user: Doc, until?: Date) => {
  user.mfa = {
    ...(user.mfa as Doc),
    exclusion: true,
    ...(until ? { exclusionUntil: until.toISOString() } : {}),
  };
};
const policyResult = (finding: Awaited<ReturnType<typeof auditControl>>) =>
  finding.results.find((r) => r.check === "mfa-policy");
const messageOf = (finding: Awaited<ReturnType<typeof auditControl>>, name: string) =>
  finding.results.find((r) => r.resourceName === name)?.message;

describe("2.1 Enforce Organization-Wide MFA", () => {
  it("PASS with an unconditional all-users MFA policy and every active user enrolled", async () => {
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("PASS");
    expect(finding.counts).toEqual({ PASS: 25, FAIL: 0, MANUAL: 0, MUTED: 0, ERROR: 0 });
    expect(finding.summary).toBe(
      '24 of 24 active users are enrolled in MFA (expected all); org-wide MFA policy "Require MFA - All Users".',
    );
    expect(policyResult(finding)?.message).toBe(
      '"Require MFA - All Users" requires MFA for all users without conditions (factors: TOTP, WEBAUTHN, PUSH)',
    );
    expect(finding.evidence).toMatchObject({
      policy: { name: "Require MFA - All Users", factors: ["TOTP", "WEBAUTHN", "PUSH"], groupExclusions: [] },
      otherMfaPolicies: { groupTargeted: [], conditional: ["MFA Outside Corporate"], disabled: [] },
      activeUsers: 24,
      enrolled: 24,
      notEnrolled: 0,
      exclusions: [],
    });
  });

  it("FAIL when the MFA policy targets one group instead of all users", async () => {
    Object.assign(
      allUsersPolicy(),
      mfaPolicy(allUsersPolicy().id as string, {
        name: "Require MFA - Engineering",
        allUsers: false,
        groupId: "5f1b00000000000000000001",
      }),
    );
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["User Portal MFA policy: mfa-policy"]);
    expect(policyResult(finding)?.message).toBe(
      "No enabled User Portal policy requires MFA for all users without conditions (only group-targeted: Require MFA - Engineering; only conditional: MFA Outside Corporate)",
    );
    expect(finding.summary).toMatch(
      /; no org-wide MFA policy \(expected one for all users without conditions\)\.$/,
    );
  });

  it("FAIL when the all-users MFA policy is disabled", async () => {
    allUsersPolicy().disabled = true;
    const finding = await auditControl(sim(), "2.1");
    expect(failing(finding)).toEqual(["User Portal MFA policy: mfa-policy"]);
    expect(policyResult(finding)?.message).toMatch(/disabled: Require MFA - All Users\)$/);
  });

  it("FAIL when the all-users MFA policy has conditions (an IP list makes it conditional)", async () => {
    allUsersPolicy().conditions = { ipAddressIn: [org().ipLists[0]?.id] };
    const finding = await auditControl(sim(), "2.1");
    expect(failing(finding)).toEqual(["User Portal MFA policy: mfa-policy"]);
    expect(policyResult(finding)?.message).toBe(
      "No enabled User Portal policy requires MFA for all users without conditions (only conditional: Require MFA - All Users, MFA Outside Corporate)",
    );
  });

  it("FAIL when the all-users policy does not require MFA", async () => {
    ((allUsersPolicy().effect as Doc).obligations as Doc).mfa = { required: false };
    expect(failing(await auditControl(sim(), "2.1"))).toEqual(["User Portal MFA policy: mfa-policy"]);
  });

  it("FAIL when the only all-users MFA policy is for applications, not the User Portal", async () => {
    Object.assign(allUsersPolicy(), {
      type: "application",
      targets: { users: { inclusions: ["ALL"] }, resources: [{ type: "application" }] },
    });
    expect(failing(await auditControl(sim(), "2.1"))).toEqual(["User Portal MFA policy: mfa-policy"]);
  });

  it("FAIL when there are no authentication policies at all", async () => {
    org().authnPolicies = [];
    const finding = await auditControl(sim(), "2.1");
    expect(policyResult(finding)?.message).toBe(
      "No enabled User Portal policy requires MFA for all users without conditions",
    );
    expect(finding.evidence?.policy).toBeNull();
  });

  it("MANUAL when the all-users policy excludes a user group, naming it", async () => {
    (allUsersPolicy().targets as Doc).userGroups = { exclusions: ["5f1b000000000000000000ee"] };
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual(["User Portal MFA policy: mfa-policy"]);
    expect(policyResult(finding)?.message).toBe(
      '"Require MFA - All Users" requires MFA for all users but excludes user groups 5f1b000000000000000000ee; check that every exempted user is justified (factors: TOTP, WEBAUTHN, PUSH)',
    );
    expect(finding.evidence?.policy).toMatchObject({ groupExclusions: ["5f1b000000000000000000ee"] });
    expect(finding.summary).toMatch(/org-wide MFA policy "Require MFA - All Users" \(with exclusions\)\.$/);
  });

  it("MANUAL when the all-users policy also names group inclusions or excludes users by attribute", async () => {
    Object.assign(allUsersPolicy().targets as Doc, {
      userGroups: { inclusions: ["5f1b000000000000000000aa"] },
      userAttributes: { exclusions: [{ field: "ldap_binding_user", operator: "EQ", value: true }] },
    });
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("MANUAL");
    expect(policyResult(finding)?.message).toBe(
      '"Require MFA - All Users" requires MFA for all users but excludes users by attribute [{"field":"ldap_binding_user","operator":"EQ","value":true}] and also names group or attribute inclusions (whether they narrow ALL is undocumented); check that every exempted user is justified (factors: TOTP, WEBAUTHN, PUSH)',
    );
  });

  it("FAIL naming an active user who is not enrolled", async () => {
    Object.assign(userNamed("carol.smith"), {
      totp_enabled: false,
      mfaEnrollment: { overallStatus: "NOT_ENROLLED", totpStatus: "NOT_ENROLLED" },
    });
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["carol.smith@example.com: mfa"]);
    expect(messageOf(finding, "carol.smith@example.com")).toBe("MFA not enrolled (NOT_ENROLLED)");
    expect(finding.summary).toMatch(
      /^23 of 24 active users are enrolled in MFA \(expected all\); failing: carol.smith@example.com;/,
    );
  });

  it("counts either TOTP or an overall ENROLLED status as enrolled", async () => {
    Object.assign(userNamed("alice.smith"), {
      totp_enabled: false,
      mfaEnrollment: { overallStatus: "ENROLLED" },
    });
    Object.assign(userNamed("bob.smith"), {
      totp_enabled: true,
      mfaEnrollment: { overallStatus: "PENDING_ACTIVATION" },
    });
    expect((await auditControl(sim(), "2.1")).status).toBe("PASS");
  });

  it("ignores suspended and staged users", async () => {
    addUser(1, "sam.gone", { mfa: "none", state: "SUSPENDED" });
    addUser(2, "stan.staged", { mfa: "none", state: "STAGED" });
    Object.assign(addUser(3, "sue.flagged", { mfa: "none" }), { suspended: true });
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("PASS");
    expect(finding.evidence).toMatchObject({ activeUsers: 24, inactiveUsers: 3 });
  });

  it("MANUAL with the date for an active time-limited MFA exclusion", async () => {
    const user = addUser(1, "ravi.travel", { mfa: "none" });
    exclude(user, new Date(NOW.getTime() + 7 * DAY));
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual(["ravi.travel@example.com: mfa"]);
    expect(messageOf(finding, "ravi.travel@example.com")).toBe(
      "MFA excluded until 2026-12-05; check the exclusion is justified and ends then; not enrolled (NOT_ENROLLED)",
    );
    expect(finding.evidence?.exclusions).toEqual([
      { user: "ravi.travel@example.com", until: "2026-12-05T12:00:00.000Z", status: "MANUAL" },
    ]);
  });

  it("FAIL for an MFA exclusion without expiry, even on an enrolled user", async () => {
    exclude(userNamed("dave.smith"));
    const finding = await auditControl(sim(), "2.1");
    expect(failing(finding)).toEqual(["dave.smith@example.com: mfa"]);
    expect(messageOf(finding, "dave.smith@example.com")).toBe("MFA exclusion without expiry; enrolled");
  });

  it("ignores an expired exclusion and judges enrollment alone", async () => {
    exclude(userNamed("erin.smith"), new Date(NOW.getTime() - DAY));
    const unenrolled = addUser(1, "old.exclusion", { mfa: "none" });
    exclude(unenrolled, new Date(NOW.getTime() - 3 * DAY));
    const finding = await auditControl(sim(), "2.1");
    expect(failing(finding)).toEqual(["old.exclusion@example.com: mfa"]);
    expect(failing(finding, "MANUAL")).toEqual([]);
    expect(messageOf(finding, "old.exclusion@example.com")).toBe("MFA not enrolled (NOT_ENROLLED)");
    expect(messageOf(finding, "erin.smith@example.com")).toBe("MFA enrolled");
  });

  it("FAIL for an exclusion reaching beyond maxExclusionDays (default 30)", async () => {
    exclude(userNamed("frank.smith"), new Date(NOW.getTime() + 400 * DAY));
    const finding = await auditControl(sim(), "2.1");
    expect(failing(finding)).toEqual(["frank.smith@example.com: mfa"]);
    expect(messageOf(finding, "frank.smith@example.com")).toBe(
      "MFA excluded until 2028-01-02, more than 30 days away; enrolled",
    );
  });

  it("honours maxExclusionDays overrides in both directions", async () => {
    exclude(userNamed("grace.smith"), new Date(NOW.getTime() + 20 * DAY));
    expect((await auditControl(sim(), "2.1")).status).toBe("MANUAL");
    const stricter = await auditControl(sim(), "2.1", { thresholds: { "2.1": { maxExclusionDays: 7 } } });
    expect(failing(stricter)).toEqual(["grace.smith@example.com: mfa"]);
    exclude(userNamed("grace.smith"), new Date(NOW.getTime() + 60 * DAY));
    expect((await auditControl(sim(), "2.1")).status).toBe("FAIL");
    const looser = await auditControl(sim(), "2.1", { thresholds: { "2.1": { maxExclusionDays: 90 } } });
    expect(looser.status).toBe("MANUAL");
    expect(failing(looser, "MANUAL")).toEqual(["grace.smith@example.com: mfa"]);
  });

  it("rejects invalid threshold overrides", async () => {
    for (const value of [0, "30", 5000]) {
      await expect(
        auditControl(sim(), "2.1", { thresholds: { "2.1": { maxExclusionDays: value } } }),
      ).rejects.toMatchObject({ name: "EngineError", code: "INVALID_THRESHOLD" });
    }
  });

  it("reads every page: 250 users with the unenrolled one past index 100", async () => {
    for (let i = 0; i < 226; i++) addUser(i, `bulk.user${i}`, { mfa: i === 150 ? "none" : "enrolled" });
    expect(org().systemUsers.findIndex((u) => u.username === "bulk.user150")).toBe(174);
    const finding = await auditControl(sim(), "2.1");
    expect(failing(finding)).toEqual(["bulk.user150@example.com: mfa"]);
    expect(finding.summary).toMatch(/^249 of 250 active users are enrolled in MFA/);
  });

  it("PASS on the policy with no users to check", async () => {
    org().systemUsers = [];
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("PASS");
    expect(finding.summary).toBe(
      'No active users were returned; org-wide MFA policy "Require MFA - All Users".',
    );
  });

  it("ERROR, never PASS, when users cannot be read", async () => {
    sim().faults.add({ kind: "status", status: 500, path: "/api/systemusers" });
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error?.datasets).toMatchObject([{ dataset: "users", status: 500 }]);
  });

  it("ERROR when authentication policies cannot be read", async () => {
    sim().faults.add({ kind: "status", status: 500, path: "/api/v2/authn/policies" });
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error?.datasets).toMatchObject([{ dataset: "authnPolicies", status: 500 }]);
  });

  it("ERROR with the --plan hint when policies are forbidden (403) and the plan is undeclared", async () => {
    sim().scenario.plan = "core";
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error?.datasets).toMatchObject([
      { dataset: "authnPolicies", status: 403, code: "FORBIDDEN" },
    ]);
    expect(finding.summary).toMatch(
      /If the plan lacks Conditional Access, declare the plan \(--plan core\) so the control is judged without it\.$/,
    );
  });

  it("without Conditional Access (declared plan), judges each user's own User Portal MFA requirement", async () => {
    sim().scenario.plan = "core";
    userNamed("alice.smith").enable_user_portal_multifactor = false;
    const finding = await auditControl(sim(), "2.1", { plan: "core" });
    expect(sim().requests.some((r) => r.path.startsWith("/api/v2/authn"))).toBe(false);
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["alice.smith@example.com: mfa-required"]);
    expect(policyResult(finding)).toBeUndefined();
    expect(finding.summary).toMatch(
      /authentication policies are not on this plan, so User Portal MFA was checked per user \(23 of 24 required\)/,
    );
  });

  it("without Conditional Access (every endpoint of the feature answers 402), the same per-user judgement", async () => {
    sim().faults.add({ kind: "status", status: 402, path: "/api/v2/authn/policies" });
    sim().faults.add({ kind: "status", status: 402, path: "/api/v2/iplists" });
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("PASS");
    expect(finding.results.filter((r) => r.check === "mfa-required")).toHaveLength(24);
  });

  it("ERROR, never the per-user fallback, when only the policies answer 402 and IP lists answer 200", async () => {
    sim().faults.add({ kind: "status", status: 402, path: "/api/v2/authn/policies" });
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error?.datasets).toMatchObject([{ dataset: "authnPolicies", status: 402 }]);
    expect(finding.summary).toMatch(/402 on \/api\/v2\/authn\/policies/);
  });

  it("demo preset: FAIL on the group-only policy and unenrolled users; two time-limited exclusions", async () => {
    const finding = await auditPreset("demo", "2.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual([
      "User Portal MFA policy: mfa-policy",
      "ivy.newhire@example.com: mfa",
      "karl.sales@example.com: mfa",
      "lena.finance@example.com: mfa",
      "omar.support@example.com: mfa",
      "pia.intern@example.com: mfa",
      "svc.ldap-wiki@example.com: mfa",
      "svc.ldap-printer@example.com: mfa",
    ]);
    expect(failing(finding, "MANUAL")).toEqual([
      "quinn.exec@example.com: mfa",
      "ravi.travel@example.com: mfa",
    ]);
    expect(finding.results.find((r) => r.resourceName === "svc.ldap-wiki@example.com")?.message).toBe(
      "MFA not enrolled (NOT_ENROLLED) (LDAP binding service account)",
    );
    expect(finding.evidence).toMatchObject({ activeUsers: 69, inactiveUsers: 1, enrolled: 61 });
  });
});
