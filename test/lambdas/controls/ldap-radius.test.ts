import { describe, expect, it } from "vitest";
import type { RadiusServerFacts } from "../../../lambdas/collect/snapshot.js";
import { ldapRadius } from "../../../lambdas/controls/ldap-radius.js";
import { statusFromResults } from "../../../lambdas/engine/findings.js";
import type { Organization, SystemUser } from "../../../lambdas/jumpcloud/types.js";
import { radiusServer, systemUser } from "../../../sim/presets/builders.js";
import type { Doc } from "../../../sim/query.js";
import { auditControl, auditPreset, failing, hexId, NOW, useFreshSimulator } from "../../helpers/audit.js";

const { sim, org } = useFreshSimulator();
const COMPLIANT_SECRET = "k7#Qv9!mZ2pL8xR4wT6yB1nC3sD5fG0h";
const DEMO_SECRET = "vpn2024!";
const wifi = () => org().radiusServers[0] as Doc;
const settings = () => org().organization.settings as Doc;
const orgId = () => org().organization._id as string;
const bindingUser = (i: number, username: string, state: "ACTIVATED" | "SUSPENDED" = "ACTIVATED") =>
  systemUser(hexId(i, "5f02"), orgId(), NOW, { username, ldapBinding: true, state });

describe("4.2 Configure LDAP & RADIUS Security", () => {
  it("compliant: RADIUS passes; LDAP is disabled and has no binding users", async () => {
    const finding = await auditControl(sim(), "4.2");
    expect(finding.status).toBe("PASS");
    expect(finding.counts).toEqual({ PASS: 2, FAIL: 0, MANUAL: 0, MUTED: 0, ERROR: 0 });
    expect(finding.results.map((r) => `${r.resourceName}: ${r.check}: ${r.status}`)).toEqual([
      "Office Wi-Fi: radius-mfa: PASS",
      "Office Wi-Fi: radius-shared-secret: PASS",
    ]);
    expect(finding.results[1]?.message).toBe("Shared secret is 32 characters (4 character classes)");
  });

  it("LDAP enabled: its TLS is left for manual verification", async () => {
    (org().organization.settings as Record<string, unknown>).disableLdap = false;
    const finding = await auditControl(sim(), "4.2");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual(["Acme Secure: ldap-tls"]);
    expect(finding.results[2]?.message).toMatch(
      /^Cloud LDAP is enabled and the API exposes no TLS setting: in Settings → Cloud LDAP/,
    );
  });

  it("PASS when Cloud LDAP is disabled and RADIUS is hardened", async () => {
    settings().disableLdap = true;
    const finding = await auditControl(sim(), "4.2");
    expect(finding.status).toBe("PASS");
    expect(finding.counts).toEqual({ PASS: 2, FAIL: 0, MANUAL: 0, MUTED: 0, ERROR: 0 });
    expect(finding.summary).toMatch(/Cloud LDAP disabled with 0 active binding users/);
  });

  it("never puts a RADIUS shared secret in the finding (compliant and demo secrets)", async () => {
    org().radiusServers.push(
      radiusServer(hexId(1, "5f04"), orgId(), {
        name: "Branch VPN",
        mfa: "ENABLED",
        sharedSecret: DEMO_SECRET,
        sourceIp: "198.51.100.40",
      }),
    );
    const finding = await auditControl(sim(), "4.2");
    expect(failing(finding)).toEqual(["Branch VPN: radius-mfa", "Branch VPN: radius-shared-secret"]);
    const json = JSON.stringify(finding);
    expect(json).not.toContain(COMPLIANT_SECRET);
    expect(json).not.toContain(DEMO_SECRET);
    expect(json).toContain('"sharedSecretLength":8');
  });

  it("FAIL when MFA is only ENABLED, explaining it applies only to users who configured it", async () => {
    wifi().mfa = "ENABLED";
    const finding = await auditControl(sim(), "4.2");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["Office Wi-Fi: radius-mfa"]);
    const row = finding.results.find((r) => r.status === "FAIL");
    expect(row?.message).toBe(
      "MFA only ENABLED: users who have not configured MFA authenticate with a password alone; expected REQUIRED or ALWAYS",
    );
    expect(row?.measure).toEqual({
      value: 1,
      unit: "RADIUS MFA level (0 DISABLED, 1 ENABLED, 2 REQUIRED, 3 ALWAYS)",
      worseWhen: "lower",
    });
    expect(finding.summary).toMatch(/^0 of 1 RADIUS servers require MFA \(not: Office Wi-Fi \(ENABLED\)\)/);
  });

  it("FAIL when MFA is DISABLED", async () => {
    wifi().mfa = "DISABLED";
    const finding = await auditControl(sim(), "4.2");
    expect(failing(finding)).toEqual(["Office Wi-Fi: radius-mfa"]);
    expect(finding.results[0]?.message).toBe(
      "MFA DISABLED: RADIUS accepts a password alone; expected REQUIRED or ALWAYS",
    );
    expect(finding.results[0]?.measure?.value).toBe(0);
  });

  it("PASS for MFA ALWAYS", async () => {
    wifi().mfa = "ALWAYS";
    settings().disableLdap = true;
    const finding = await auditControl(sim(), "4.2");
    expect(finding.status).toBe("PASS");
    expect(finding.results[0]?.message).toBe("MFA ALWAYS");
  });

  it("MANUAL when the API does not report the MFA setting", async () => {
    delete wifi().mfa;
    settings().disableLdap = true;
    const finding = await auditControl(sim(), "4.2");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual(["Office Wi-Fi: radius-mfa"]);
  });

  it("FAIL on a short shared secret, reporting only its length", async () => {
    wifi().sharedSecret = "Short-Secret-15";
    const finding = await auditControl(sim(), "4.2");
    expect(failing(finding)).toEqual(["Office Wi-Fi: radius-shared-secret"]);
    const row = finding.results.find((r) => r.status === "FAIL");
    expect(row?.message).toBe("Shared secret is only 15 characters; expected at least 16 (RFC 2865 §3)");
    expect(row?.observed).toEqual({ length: 15, characterClasses: 4 });
    expect(row?.measure).toEqual({ value: 15, unit: "characters", worseWhen: "lower" });
    expect(JSON.stringify(finding)).not.toContain("Short-Secret-15");
  });

  it("MANUAL when the API returns no shared secret", async () => {
    delete wifi().sharedSecret;
    settings().disableLdap = false;
    const finding = await auditControl(sim(), "4.2");
    expect(failing(finding, "MANUAL")).toEqual([
      "Office Wi-Fi: radius-shared-secret",
      "Acme Secure: ldap-tls",
    ]);
  });

  it("lists active LDAP binding users for review, not suspended ones", async () => {
    org().systemUsers.push(bindingUser(1, "svc.ldap-wiki"), bindingUser(2, "old.ldap-app", "SUSPENDED"));
    const finding = await auditControl(sim(), "4.2");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual(["svc.ldap-wiki: ldap-binding-user", "Acme Secure: ldap-tls"]);
    expect(finding.results.find((r) => r.check === "ldap-binding-user")?.message).toMatch(
      /dedicated service account/,
    );
    expect(finding.evidence?.ldapBindingUsers).toEqual([
      { name: "svc.ldap-wiki", suspended: false },
      { name: "old.ldap-app", suspended: true },
    ]);
  });

  it("still flags LDAP TLS when LDAP is disabled but binding users exist", async () => {
    settings().disableLdap = true;
    org().systemUsers.push(bindingUser(1, "svc.ldap-wiki"));
    const finding = await auditControl(sim(), "4.2");
    expect(failing(finding, "MANUAL")).toEqual(["svc.ldap-wiki: ldap-binding-user", "Acme Secure: ldap-tls"]);
    expect(finding.results.at(-1)?.message).toMatch(
      /^Cloud LDAP is disabled but users still carry the binding flag/,
    );
  });

  it("NOT_APPLICABLE when there is no RADIUS server, LDAP is disabled and nobody binds", async () => {
    org().radiusServers = [];
    settings().disableLdap = true;
    const finding = await auditControl(sim(), "4.2");
    expect(finding.status).toBe("NOT_APPLICABLE");
    expect(finding.results).toEqual([]);
    expect(finding.summary).toBe(
      "No RADIUS server is configured, Cloud LDAP is disabled and no user binds to it, so there is nothing to secure.",
    );
  });

  it("MANUAL (LDAP only) when there is no RADIUS server but LDAP is enabled", async () => {
    org().radiusServers = [];
    settings().disableLdap = false;
    const finding = await auditControl(sim(), "4.2");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual(["Acme Secure: ldap-tls"]);
    expect(finding.summary).toMatch(/^No RADIUS server; Cloud LDAP enabled/);
  });

  it("finds the weak RADIUS server and the binding user beyond the first page (>100 each)", async () => {
    for (let i = 0; i < 150; i++) {
      org().radiusServers.push(
        radiusServer(hexId(i, "5f04"), orgId(), {
          name: `site-${i}`,
          mfa: "REQUIRED",
          sharedSecret: i === 140 ? "tooshort" : COMPLIANT_SECRET,
          sourceIp: "203.0.113.1",
        }),
      );
      org().systemUsers.push(
        systemUser(hexId(i, "5f02"), orgId(), NOW, { username: `user${i}`, ldapBinding: i === 130 }),
      );
    }
    const finding = await auditControl(sim(), "4.2");
    expect(failing(finding)).toEqual(["site-140: radius-shared-secret"]);
    expect(failing(finding, "MANUAL")).toEqual(["user130: ldap-binding-user", "Acme Secure: ldap-tls"]);
    expect(finding.summary).toMatch(/^151 of 151 RADIUS servers require MFA and 150 have a shared secret/);
  });

  it("honours a stricter secret length", async () => {
    const finding = await auditControl(sim(), "4.2", {
      thresholds: { "4.2": { minSharedSecretLength: 33 } },
    });
    expect(failing(finding)).toEqual(["Office Wi-Fi: radius-shared-secret"]);
    expect(finding.results[1]?.message).toBe(
      "Shared secret is only 32 characters; expected at least 33 (RFC 2865 §3)",
    );
  });

  it("honours a looser secret length", async () => {
    wifi().sharedSecret = DEMO_SECRET;
    const finding = await auditControl(sim(), "4.2", { thresholds: { "4.2": { minSharedSecretLength: 8 } } });
    expect(failing(finding)).toEqual([]);
    expect(finding.results[1]).toMatchObject({
      status: "PASS",
      message: "Shared secret is 8 characters (3 character classes)",
    });
  });

  it("rejects an invalid threshold override", async () => {
    await expect(
      auditControl(sim(), "4.2", { thresholds: { "4.2": { minSharedSecretLength: 0 } } }),
    ).rejects.toMatchObject({
      code: "INVALID_THRESHOLD",
    });
    await expect(
      auditControl(sim(), "4.2", { thresholds: { "4.2": { minSharedSecretLength: "16" } } }),
    ).rejects.toMatchObject({
      code: "INVALID_THRESHOLD",
    });
  });

  it.each([
    ["radiusServers", "/api/radiusservers"],
    ["users", "/api/systemusers"],
    ["organization", "/api/organizations/*"],
  ])("ERROR when %s cannot be read", async (dataset, path) => {
    sim().faults.add({ kind: "status", status: 500, path });
    const finding = await auditControl(sim(), "4.2");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error).toMatchObject({ code: "SERVER_ERROR", datasets: [{ dataset, status: 500 }] });
  });

  it("demo: FAIL on Branch VPN (MFA ENABLED, 8-character secret), binding service accounts to review", async () => {
    const finding = await auditPreset("demo", "4.2");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["Branch VPN: radius-mfa", "Branch VPN: radius-shared-secret"]);
    expect(failing(finding, "MANUAL")).toEqual([
      "svc.ldap-wiki: ldap-binding-user",
      "svc.ldap-printer: ldap-binding-user",
      "Globex Corporation: ldap-tls",
    ]);
    expect(finding.summary).toBe(
      "1 of 2 RADIUS servers require MFA (not: Branch VPN (ENABLED)) and 1 have a shared secret of at least 16 characters (not: Branch VPN (8 characters)); Cloud LDAP enabled (TLS to verify by hand) with 2 active binding users to review (expected MFA REQUIRED or ALWAYS and secrets of 16+ characters on every RADIUS server).",
    );
    const json = JSON.stringify(finding);
    expect(json).not.toContain(DEMO_SECRET);
    expect(json).not.toContain(COMPLIANT_SECRET);
  });
});

/**
 * Pure audits over hand-built data: RADIUS `mfa`, the secret's facts, `disableLdap` and
 * `ldap_binding_user` of odd types or not reported are never PASS (nor NOT_APPLICABLE), the other checks
 * stand, and no shared secret is ever printed.
 */
describe("4.2 on odd data (tolerant reading, check isolation)", () => {
  const NOW = new Date("2026-11-28T12:00:00.000Z");
  const LIMITS = { minSharedSecretLength: 16 } as const;
  const serverDoc = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    _id: "5f0400000000000000000001",
    name: "Office Wi-Fi",
    mfa: "REQUIRED",
    authIdp: "JUMPCLOUD",
    sharedSecret: { length: 32, characterClasses: 4 },
    ...over,
  });
  const orgDoc = (settings: unknown = { disableLdap: true }) => ({
    _id: "5f0100000000000000000001",
    displayName: "Acme Secure",
    settings,
  });
  const userDoc = (over: Record<string, unknown> = {}) => ({
    _id: "5f0200000000000000000001",
    username: "jane.doe",
    state: "ACTIVATED",
    ldap_binding_user: false,
    ...over,
  });
  const run = (data: { servers?: unknown[]; org?: unknown; users?: unknown[] } = {}) => {
    const outcome = ldapRadius.audit(
      {
        organization: (data.org ?? orgDoc()) as Organization,
        radiusServers: (data.servers ?? [serverDoc()]) as RadiusServerFacts[],
        users: (data.users ?? [userDoc()]) as SystemUser[],
      },
      LIMITS,
      NOW,
    );
    return { ...outcome, status: outcome.status ?? statusFromResults(outcome.results) };
  };
  const rows = (outcome: ReturnType<typeof run>) =>
    outcome.results.map((r) => `${r.resourceName}: ${r.check}: ${r.status}`);

  it("PASS on the compliant shape", () => {
    expect(rows(run())).toEqual([
      "Office Wi-Fi: radius-mfa: PASS",
      "Office Wi-Fi: radius-shared-secret: PASS",
    ]);
  });

  it.each([
    ["a number", 2, "ERROR", /mfa is 2 \(expected a string\)/],
    ["a boolean", true, "ERROR", /mfa is true \(expected a string\)/],
    ["a list", ["REQUIRED"], "ERROR", /mfa is \["REQUIRED"\] \(expected a string\)/],
    ["an object", { level: "REQUIRED" }, "ERROR", /mfa is \{"level":"REQUIRED"\}/],
    [
      "lower case",
      "required",
      "ERROR",
      /mfa is "required" \(expected DISABLED, ENABLED, REQUIRED or ALWAYS\)/,
    ],
    ["an inherited name", "toString", "ERROR", /mfa is "toString"/],
    ["null", null, "MANUAL", /did not report this server's MFA setting/],
  ])("RADIUS `mfa` as %s is never PASS", (_kind, mfa, status, reason) => {
    const outcome = run({ servers: [serverDoc({ mfa })] });
    expect(outcome.results[0]).toMatchObject({
      check: "radius-mfa",
      status,
      message: expect.stringMatching(reason),
    });
    expect(outcome.status).toBe(status);
    expect(outcome.results[1]?.status).toBe("PASS");
  });

  it.each([
    ["the secret itself (a collector that kept it)", "k7#Qv9!mZ2pL8xR4wT6yB1nC3sD5fG0h", "ERROR"],
    ["a length as text", { length: "thirty-two", characterClasses: 4 }, "ERROR"],
    ["a negative length", { length: -1, characterClasses: 4 }, "ERROR"],
    ["a fractional length", { length: 16.5, characterClasses: 4 }, "ERROR"],
    ["no character classes", { length: 32 }, "ERROR"],
    ["absent", undefined, "MANUAL"],
  ])("shared-secret facts as %s are never PASS, and never printed", (_kind, sharedSecret, status) => {
    const outcome = run({ servers: [serverDoc({ sharedSecret })] });
    expect(outcome.results[1]).toMatchObject({ check: "radius-shared-secret", status });
    expect(outcome.results[1]?.message).toMatch(
      /^The shared secret could not be judged: the shared secret's facts/,
    );
    expect(JSON.stringify(outcome)).not.toContain("k7#Qv9!mZ2pL8xR4wT6yB1nC3sD5fG0h");
    expect(outcome.results[0]?.status).toBe("PASS");
  });

  it.each([
    ["a word", { disableLdap: "yes" }, "ERROR", /settings\.disableLdap is "yes" \(expected a boolean\)/],
    ["a number", { disableLdap: 1 }, "ERROR", /settings\.disableLdap is 1/],
    ["absent", {}, "MANUAL", /settings\.disableLdap is not reported/],
    ["settings a string", "locked", "ERROR", /settings is "locked" \(expected an object\)/],
  ])(
    "`disableLdap` as %s: never NOT_APPLICABLE, LDAP TLS flagged with the reason",
    (_kind, settings, status, reason) => {
      const outcome = run({ org: orgDoc(settings), servers: [] });
      expect(outcome.status).toBe(status);
      expect(outcome.results).toHaveLength(1);
      expect(outcome.results[0]).toMatchObject({
        check: "ldap-tls",
        status,
        message: expect.stringMatching(reason),
      });
    },
  );

  it('`disableLdap` sent as the string "true" is read as true: NOT_APPLICABLE without RADIUS or binders', () => {
    expect(run({ org: orgDoc({ disableLdap: "true" }), servers: [] }).status).toBe("NOT_APPLICABLE");
  });

  it("an odd `ldap_binding_user` is ERROR for that user; an absent one blocks NOT_APPLICABLE", () => {
    const odd = run({ servers: [], users: [userDoc({ ldap_binding_user: "yes" })] });
    expect(odd.status).toBe("ERROR");
    expect(odd.results[0]).toMatchObject({
      resourceName: "jane.doe",
      check: "ldap-binding-user",
      message: expect.stringMatching(/ldap_binding_user is "yes" \(expected a boolean\)/),
    });
    const absent = run({ servers: [], users: [userDoc({ ldap_binding_user: undefined })] });
    expect(absent.status).toBe("MANUAL");
    expect(rows(absent)).toEqual(["Acme Secure: ldap-binding-user: MANUAL"]);
    expect(absent.results[0]?.message).toMatch(/^1 user does not report ldap_binding_user/);
  });

  it("one check meeting unjudgeable data leaves another's FAIL standing: the control is FAIL", () => {
    const outcome = run({ servers: [serverDoc({ mfa: "DISABLED", sharedSecret: { length: "?" } })] });
    expect(outcome.status).toBe("FAIL");
    expect(rows(outcome)).toEqual([
      "Office Wi-Fi: radius-mfa: FAIL",
      "Office Wi-Fi: radius-shared-secret: ERROR",
    ]);
    expect(outcome.summary).toMatch(
      /^0 of 1 RADIUS servers require MFA \(not: Office Wi-Fi \(DISABLED\)\) and 0 have a shared secret of at least 16 characters \(not: Office Wi-Fi \(not read\)\)/,
    );
  });

  it("a server that is not an object is ERROR in each RADIUS check, beside the others' verdicts", () => {
    const outcome = run({ servers: [serverDoc({ mfa: "ENABLED" }), "garbage"] });
    expect(rows(outcome)).toEqual([
      "Office Wi-Fi: radius-mfa: FAIL",
      "(RADIUS server 2): radius-mfa: ERROR",
      "Office Wi-Fi: radius-shared-secret: PASS",
      "(RADIUS server 2): radius-shared-secret: ERROR",
    ]);
    expect(outcome.results[1]?.message).toMatch(/the RADIUS server record is not an object/);
    expect(JSON.stringify(outcome)).not.toContain("garbage");
    expect(outcome.status).toBe("FAIL");
  });

  it("the opt-in planner never plans from an `mfa` or id it could not read", () => {
    const plan = ldapRadius.remediation.plan?.(
      {
        organization: orgDoc() as Organization,
        users: [],
        radiusServers: [
          serverDoc({ mfa: "ENABLED" }),
          serverDoc({ _id: "5f0400000000000000000002", name: "Odd", mfa: 1 }),
          serverDoc({ _id: "5f0400000000000000000003", name: "Unreported", mfa: undefined }),
          serverDoc({ _id: undefined, name: "No id", mfa: "DISABLED" }),
        ] as RadiusServerFacts[],
      },
      {},
    );
    expect(plan?.actions.map((a) => [a.resource.name, a.before])).toEqual([["Office Wi-Fi", "ENABLED"]]);
    expect(plan?.warnings[1]).toBe(
      "Not planned, because a value the change depends on was not read: Odd (mfa is 1 (expected a string)); Unreported (mfa is not reported); No id (_id is not reported); check them in Settings → Cloud RADIUS.",
    );
  });
});
