import { describe, expect, it } from "vitest";
import { orgWideMfa } from "../../../lambdas/controls/org-wide-mfa.js";
import { statusFromResults } from "../../../lambdas/engine/findings.js";
import type { AuthnPolicy, SystemUser } from "../../../lambdas/jumpcloud/types.js";
import { startSimulator } from "../../../sim/index.js";
import { mfaPolicy, systemUser } from "../../../sim/presets/builders.js";
import type { Doc } from "../../../sim/query.js";
import type { OrgData } from "../../../sim/scenario.js";
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

  it("legacy preset (users without state or mfaEnrollment): PASS, judged by activated, suspended and totp_enabled", async () => {
    const finding = await auditPreset("legacy", "2.1");
    expect(finding.status).toBe("PASS");
    expect(finding.counts).toMatchObject({ FAIL: 0, MANUAL: 0, ERROR: 0 });
    expect(finding.evidence).toMatchObject({ activeUsers: 24, enrolled: 24 });
  });

  it("legacy preset: TOTP off without mfaEnrollment is MANUAL (other methods would not show), never PASS", async () => {
    const legacy = await startSimulator({ scenario: "legacy", now: () => NOW });
    try {
      const users = (legacy.scenario.organizations[0] as OrgData).systemUsers;
      const user = users[3] as Doc;
      user.totp_enabled = false;
      const finding = await auditControl(legacy, "2.1");
      expect(finding.status).toBe("MANUAL");
      expect(failing(finding, "MANUAL")).toEqual([`${user.email}: mfa`]);
      expect(finding.results.find((r) => r.status === "MANUAL")?.message).toBe(
        "TOTP not enabled and other methods not reported (no mfaEnrollment.overallStatus); check Users → MFA",
      );
    } finally {
      await legacy.close();
    }
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

/**
 * Pure audits over hand-built data: a user or policy value the verdict depends on that is not reported
 * (MANUAL) or of another type (ERROR) is never PASS, and never FAIL as if it were false; the older user
 * shape (no `state`, no `mfaEnrollment`, notes §12.3) is judged by what it reports; the other checks stand.
 */
describe("2.1 on odd data (tolerant reading, check isolation)", () => {
  const LIMITS = { maxExclusionDays: 30 } as const;
  const policyDoc = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: "5f1a00000000000000000001",
    name: "Require MFA - All Users",
    disabled: false,
    type: "user_portal",
    conditions: {},
    effect: { action: "allow", obligations: { mfa: { required: true }, mfaFactors: [{ type: "TOTP" }] } },
    targets: { users: { inclusions: ["ALL"] }, resources: [{ type: "user_portal" }] },
    ...over,
  });
  const userDoc = (over: Record<string, unknown> = {}, n = 1): Record<string, unknown> => ({
    _id: hexId(n, "5fb1"),
    username: `user${n}`,
    email: `user${n}@example.com`,
    state: "ACTIVATED",
    activated: true,
    suspended: false,
    totp_enabled: true,
    enable_user_portal_multifactor: true,
    mfa: { configured: true, exclusion: false },
    mfaEnrollment: { overallStatus: "ENROLLED" },
    ...over,
  });
  const unenrolled = { totp_enabled: false, mfaEnrollment: { overallStatus: "NOT_ENROLLED" } };
  /** The older record of notes §12.3: no `state`, no `mfaEnrollment`. */
  const legacyDoc = (over: Record<string, unknown> = {}, n = 1) => {
    const { state: _s, mfaEnrollment: _m, ...rest } = userDoc({}, n);
    return { ...rest, ...over };
  };
  const run = (data: { policies?: unknown; users?: unknown } = {}) => {
    const outcome = orgWideMfa.audit(
      {
        ...("policies" in data && data.policies === undefined
          ? {}
          : { authnPolicies: (data.policies ?? [policyDoc()]) as AuthnPolicy[] }),
        users: (data.users ?? [userDoc()]) as SystemUser[],
      },
      LIMITS,
      NOW,
    );
    return { ...outcome, status: outcome.status ?? statusFromResults(outcome.results) };
  };
  const of = (outcome: ReturnType<typeof run>, check: string) =>
    outcome.results.filter((r) => r.check === check);

  it("PASS on the compliant shape", () => {
    const outcome = run();
    expect(outcome.results.map((r) => `${r.resourceName}: ${r.check}: ${r.status}`)).toEqual([
      "User Portal MFA policy: mfa-policy: PASS",
      "user1@example.com: mfa: PASS",
    ]);
  });

  it.each([
    [
      "overallStatus a number",
      { mfaEnrollment: { overallStatus: 5 } },
      "ERROR",
      /^mfaEnrollment\.overallStatus is 5 \(expected a string\)/,
    ],
    [
      "overallStatus undocumented",
      { mfaEnrollment: { overallStatus: "WEIRD" } },
      "ERROR",
      /^mfaEnrollment\.overallStatus is "WEIRD" \(not a documented status\)/,
    ],
    [
      "mfaEnrollment as text",
      { mfaEnrollment: "ENROLLED" },
      "ERROR",
      /^mfaEnrollment is "ENROLLED" \(expected an object\)/,
    ],
    [
      "mfaEnrollment a list",
      { mfaEnrollment: ["ENROLLED"] },
      "ERROR",
      /^mfaEnrollment is \["ENROLLED"\] \(expected an object\)/,
    ],
    [
      "overallStatus null",
      { mfaEnrollment: { overallStatus: null } },
      "MANUAL",
      /^TOTP not enabled and other methods not reported/,
    ],
  ])("enrollment with %s (TOTP off) is never PASS, nor FAIL", (_kind, over, status, reason) => {
    const outcome = run({ users: [userDoc({ totp_enabled: false, ...over })] });
    expect(of(outcome, "mfa")[0]).toMatchObject({ status, message: expect.stringMatching(reason) });
    expect(of(outcome, "mfa-policy")[0]?.status).toBe("PASS");
    expect(outcome.status).toBe(status);
  });

  it.each([
    [
      "`mfa.exclusion` a word",
      { mfa: { exclusion: "yes" } },
      "ERROR",
      'mfa.exclusion is "yes" (expected a boolean)',
    ],
    ["`mfa.exclusion` absent", { mfa: { configured: true } }, "MANUAL", "mfa.exclusion not reported"],
    ["`mfa` absent", { mfa: undefined }, "MANUAL", "mfa.exclusion not reported"],
    ["`mfa` as text", { mfa: "none" }, "ERROR", 'mfa is "none" (expected an object)'],
    [
      "`mfa.exclusionUntil` a number",
      { mfa: { exclusion: true, exclusionUntil: 1767225600 } },
      "ERROR",
      "mfa.exclusionUntil is 1767225600 (expected a string)",
    ],
  ])(
    "an enrolled user whose exclusion is unread (%s) is not a PASS: an exclusion skips MFA",
    (_kind, over, status, words) => {
      const outcome = run({ users: [userDoc(over)] });
      expect(of(outcome, "mfa")[0]).toMatchObject({
        status,
        message: `MFA enrolled; ${words}; check Users → MFA`,
      });
    },
  );

  it("an unenrolled user whose exclusion is unread is not a FAIL: a short exclusion would make it a review", () => {
    const outcome = run({ users: [userDoc({ ...unenrolled, mfa: { exclusion: 1 } })] });
    expect(of(outcome, "mfa")[0]).toMatchObject({
      status: "ERROR",
      message: "MFA not enrolled (NOT_ENROLLED); mfa.exclusion is 1 (expected a boolean); check Users → MFA",
    });
  });

  it("a standing exclusion FAILs even when the enrollment cannot be read", () => {
    const outcome = run({
      users: [userDoc({ totp_enabled: "yes", mfaEnrollment: undefined, mfa: { exclusion: true } })],
    });
    expect(of(outcome, "mfa")[0]).toMatchObject({
      status: "FAIL",
      message: 'MFA exclusion without expiry; totp_enabled is "yes" (expected a boolean)',
    });
  });

  it.each([
    ["`state` a number", { state: 7 }, "ERROR", "state is 7 (expected a string)"],
    [
      "`state` undocumented",
      { state: "DELETED" },
      "ERROR",
      'state is "DELETED" (expected ACTIVATED, STAGED or SUSPENDED)',
    ],
    [
      "`suspended` a word, with ACTIVATED",
      { suspended: "no" },
      "ERROR",
      'suspended is "no" (expected a boolean)',
    ],
    [
      "no `state` and no `activated`",
      { state: undefined, activated: undefined },
      "MANUAL",
      "neither state nor activated reported",
    ],
    [
      "no `state`, `activated` as text",
      { state: undefined, activated: "true!" },
      "ERROR",
      'activated is "true!" (expected a boolean)',
    ],
    [
      "no `state` and no `suspended`",
      { state: undefined, suspended: undefined },
      "MANUAL",
      "suspended not reported",
    ],
  ])("an unenrolled user with %s: whether they count is unread, so no FAIL", (_kind, over, status, words) => {
    const outcome = run({ users: [userDoc({ ...unenrolled, ...over })] });
    expect(of(outcome, "mfa")[0]).toMatchObject({
      status,
      message: `${words}; if active: MFA not enrolled (NOT_ENROLLED)`,
    });
    // Enrolled, the same user passes whether or not they are active.
    expect(of(run({ users: [userDoc(over)] }), "mfa")[0]?.status).toBe("PASS");
  });

  it("the older user shape: judged by `activated`, `suspended` and `totp_enabled`", () => {
    const outcome = run({
      users: [
        legacyDoc({}, 1),
        legacyDoc({ activated: false, totp_enabled: false }, 2),
        legacyDoc({ suspended: true, totp_enabled: false }, 3),
        legacyDoc({ totp_enabled: false, mfa: { exclusion: false, configured: false } }, 4),
      ],
    });
    expect(of(outcome, "mfa").map((r) => `${r.resourceName}: ${r.status}: ${r.message}`)).toEqual([
      "user1@example.com: PASS: MFA enrolled",
      "user4@example.com: MANUAL: TOTP not enabled and other methods not reported (no mfaEnrollment.overallStatus); check Users → MFA",
    ]);
    expect(outcome.evidence).toMatchObject({ activeUsers: 2, inactiveUsers: 2, enrolled: 1 });
  });

  it.each([
    ["`disabled` a word", { disabled: "no" }, "ERROR", 'disabled is "no" (expected a boolean)'],
    ["`disabled` absent", { disabled: undefined }, "MANUAL", "disabled not reported"],
    ["`type` a number", { type: 5 }, "ERROR", "type is 5 (expected a string)"],
    ["`conditions` as text", { conditions: "none" }, "ERROR", 'conditions is "none" (expected an object)'],
    ["`conditions` a list", { conditions: [] }, "ERROR", "conditions is [] (expected an object)"],
    ["`effect` absent", { effect: undefined }, "MANUAL", "effect not reported"],
    [
      "`obligations.mfa.required` a number",
      { effect: { action: "allow", obligations: { mfa: { required: 1 } } } },
      "ERROR",
      "effect.obligations.mfa.required is 1 (expected a boolean)",
    ],
    ["`targets` a list", { targets: [] }, "ERROR", "targets is [] (expected an object)"],
    [
      "`users.inclusions` as text",
      { targets: { users: { inclusions: "ALL" } } },
      "ERROR",
      'targets.users.inclusions is "ALL" (expected a list)',
    ],
    [
      "a resource without a type",
      { targets: { users: { inclusions: ["ALL"] }, resources: [{ id: "x" }] } },
      "MANUAL",
      "targets.resources[0].type not reported",
    ],
    [
      "group exclusions as text",
      { targets: { users: { inclusions: ["ALL"] }, userGroups: { exclusions: "g1" } } },
      "ERROR",
      'targets.userGroups.exclusions is "g1" (expected a list)',
    ],
  ])("the only all-users policy with %s is neither PASS nor FAIL", (_kind, over, status, words) => {
    const doc = policyDoc();
    for (const [key, value] of Object.entries(over)) {
      if (value === undefined) delete doc[key];
      else doc[key] = value;
    }
    const outcome = run({ policies: [doc] });
    expect(of(outcome, "mfa-policy")[0]).toMatchObject({
      status,
      message: `No User Portal policy could be confirmed to require MFA for all users without conditions; not judged: "Require MFA - All Users" (${words}); check them in Security → Conditional Access`,
    });
    expect(outcome.summary).toMatch(
      /; no policy could be confirmed as the org-wide MFA policy \(not judged: Require MFA - All Users\)\.$/,
    );
    expect(of(outcome, "mfa")[0]?.status).toBe("PASS");
  });

  it("a clean policy settles the check whatever another policy holds; a policy surely not it leaves the FAIL", () => {
    const odd = policyDoc({ id: "5f1a00000000000000000002", name: "Odd", conditions: "x" });
    expect(of(run({ policies: [odd, policyDoc()] }), "mfa-policy")[0]?.status).toBe("PASS");
    const disabledOdd = policyDoc({ disabled: true, conditions: "x" });
    expect(of(run({ policies: [disabledOdd, "junk", null] }), "mfa-policy")[0]).toMatchObject({
      status: "ERROR",
      message: expect.stringContaining(
        'not judged: "(policy 2)" (the policy entry is "junk" (expected an object)), "(policy 3)"',
      ),
    });
    expect(of(run({ policies: [disabledOdd] }), "mfa-policy")[0]?.status).toBe("FAIL");
  });

  it("isolation: an unjudgeable policy does not hide a user's FAIL", () => {
    const outcome = run({ policies: [policyDoc({ disabled: "no" })], users: [userDoc(unenrolled)] });
    expect(outcome.status).toBe("FAIL");
    expect(outcome.results.map((r) => `${r.check}: ${r.status}`)).toEqual(["mfa-policy: ERROR", "mfa: FAIL"]);
  });

  it("isolation: a users list that is not a list is one ERROR; the policy's FAIL stands and the summary is built", () => {
    const outcome = run({ policies: [], users: { results: [] } });
    expect(outcome.status).toBe("FAIL");
    expect(outcome.results).toMatchObject([
      { check: "mfa-policy", status: "FAIL" },
      {
        resourceType: "check",
        check: "mfa",
        status: "ERROR",
        message: 'Check "mfa" could not be evaluated: the users list is {"results":[]} (expected a list)',
      },
    ]);
    expect(outcome.summary).toMatch(/^Users could not be judged \(.*\); no org-wide MFA policy/);
    expect(outcome.evidence).toMatchObject({ activeUsers: null, enrolled: null });
  });

  it("isolation: a user record whose reading throws makes the user check ERROR; the policy stands", () => {
    const throwing = new Proxy(userDoc({}, 2), {
      get(target, key) {
        if (key === "totp_enabled") throw new Error("getter exploded");
        return Reflect.get(target, key);
      },
    });
    const outcome = run({ policies: [], users: [userDoc(), throwing] });
    expect(outcome.status).toBe("FAIL");
    expect(of(outcome, "mfa")).toMatchObject([
      {
        resourceType: "check",
        status: "ERROR",
        message: 'Check "mfa" could not be evaluated: getter exploded',
      },
    ]);
  });

  it("entries that are not objects are ERROR each", () => {
    const outcome = run({ users: [null, 3, userDoc()] });
    expect(of(outcome, "mfa").map((r) => `${r.resourceName}: ${r.status}: ${r.message}`)).toEqual([
      "users[0]: ERROR: The user record is null (expected an object)",
      "users[1]: ERROR: The user record is 3 (expected an object)",
      "user1@example.com: PASS: MFA enrolled",
    ]);
  });

  it.each([
    [
      "a word",
      "on",
      "ERROR",
      'enable_user_portal_multifactor is "on" (expected a boolean); check the user in Users → MFA',
    ],
    [
      "absent",
      undefined,
      "MANUAL",
      "enable_user_portal_multifactor not reported; check the user in Users → MFA",
    ],
  ])("without policies, a per-user requirement as %s is never PASS", (_kind, value, status, message) => {
    const outcome = run({ policies: undefined, users: [userDoc({ enable_user_portal_multifactor: value })] });
    expect(of(outcome, "mfa-required")[0]).toMatchObject({ status, message });
    expect(of(outcome, "mfa")[0]?.status).toBe("PASS");
    expect(of(outcome, "mfa-policy")).toEqual([]);
  });

  describe("the planner never plans from a value it could not read", () => {
    const plan = (authnPolicies: unknown) =>
      orgWideMfa.remediation.plan?.(
        { users: [] as SystemUser[], authnPolicies: authnPolicies as AuthnPolicy[] | undefined },
        {},
      );

    it("nothing while a policy that may be the org-wide one is unread", () => {
      const planned = plan([policyDoc({ disabled: "maybe" })]);
      expect(planned?.actions).toEqual([]);
      expect(planned?.warnings[0]).toBe(
        'Nothing planned: policies that may already require MFA for all users could not be fully read ("Require MFA - All Users": disabled is "maybe" (expected a boolean)); fix them by hand in Security → Conditional Access.',
      );
    });

    it("nothing when the policies are not a list", () => {
      const planned = plan({ results: [] });
      expect(planned?.actions).toEqual([]);
      expect(planned?.warnings[0]).toMatch(
        /^Nothing planned: the authentication policies list is \{"results":\[\]\}/,
      );
    });

    it("re-enables a disabled policy read in full, creates one when none could be it, nothing when one passes", () => {
      expect(plan([policyDoc({ disabled: true })])?.actions).toMatchObject([
        { kind: "enable-authn-policy", policyId: "5f1a00000000000000000001", before: true, after: false },
      ]);
      expect(plan([policyDoc({ disabled: true, conditions: "x" })])?.actions).toMatchObject([
        { kind: "create-authn-policy" },
      ]);
      expect(plan([policyDoc({ disabled: true, id: 42 })])?.actions).toMatchObject([
        { kind: "create-authn-policy" },
      ]);
      expect(plan([policyDoc()])?.actions).toEqual([]);
      expect(plan(undefined)?.warnings[0]).toMatch(/^Authentication policies are not on this plan/);
    });
  });
});
