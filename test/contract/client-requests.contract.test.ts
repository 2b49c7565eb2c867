/**
 * Contract tests (b): every request body the client sends fits the contract in closed mode.
 *
 * A remediation-shaped run drives every write function of lambdas/jumpcloud/resources.ts, and the
 * Directory Insights calls (several pages, so `search_after` is sent), through the real client against
 * the simulator. Then every request the simulator logged (bodies kept, secret-looking string fields
 * masked as "[REDACTED]") is checked with the closed validator's `validateRequest`.
 *
 * The negative cases send the two known-wrong bodies from the hardening guide through the same client and
 * the same check, to prove that the check can fail.
 */
import { describe, expect, it } from "vitest";
import { contractOperations, createContractValidator } from "../../contract/validator.js";
import type { JumpCloudClient } from "../../lambdas/jumpcloud/client.js";
import * as resources from "../../lambdas/jumpcloud/resources.js";
import type { AuthnPolicy, EventQuery, InsightsEvent } from "../../lambdas/jumpcloud/types.js";
import type { LoggedRequest, RunningSimulator } from "../../sim/index.js";
import { collect, rejection, simClient, useSimulator } from "../helpers/simulator.js";

const contract = createContractValidator({ closed: true });

/** Write functions of resources.ts, by name: every one must be driven below. */
const WRITE_FUNCTIONS = Object.keys(resources).filter((name) =>
  /^(update|create|patch|delete|put|set)/.test(name),
);
/** Directory Insights calls (POST, but reads). */
const INSIGHTS_FUNCTIONS = ["searchEvents", "countEvents"];

/** Operations the write and Insights functions must have hit. */
const EXPECTED_OPS = [
  "PUT /api/organizations/{id}",
  "PUT /api/users/{id}",
  "PUT /api/systems/{id}",
  "PUT /api/radiusservers/{id}",
  "POST /api/v2/authn/policies",
  "PATCH /api/v2/authn/policies/{id}",
  "DELETE /api/v2/authn/policies/{id}",
  "POST /api/v2/iplists",
  "DELETE /api/v2/iplists/{id}",
  "POST /insights/directory/v1/events",
  "POST /insights/directory/v1/events/count",
];

type Resources = typeof resources;

/** `resources` with every call recorded by function name. */
function tracked(called: Set<string>): Resources {
  const copy: Record<string, unknown> = { ...resources };
  for (const [name, fn] of Object.entries(copy)) {
    if (typeof fn !== "function") continue;
    copy[name] = (...args: unknown[]) => {
      called.add(name);
      return (fn as (...a: unknown[]) => unknown)(...args);
    };
  }
  return copy as Resources;
}

/** Contract problems of logged requests: unknown operations and bodies that do not fit (closed). */
function violations(requests: readonly LoggedRequest[]): string[] {
  return requests.flatMap((r) => {
    const result = contract.validateRequest(r.method, r.path, r.body);
    return result.ok ? [] : result.errors.map((e) => `#${r.seq} ${r.method} ${r.path}: ${e}`);
  });
}

function defined<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`missing ${what}`);
  return value;
}

/** 2.1 as the notes (§10.3) correct the guide: MFA for all users on the User Portal, factors as objects. */
const REQUIRE_MFA_ALL_USERS: AuthnPolicy = {
  name: "Require MFA - All Users",
  disabled: false,
  type: "user_portal",
  effect: {
    action: "allow",
    obligations: {
      mfa: { required: true },
      mfaFactors: [{ type: "TOTP" }, { type: "WEBAUTHN" }, { type: "PUSH" }],
      userVerification: { requirement: "required" },
    },
  },
  targets: { users: { inclusions: ["ALL"] }, resources: [{ type: "user_portal" }] },
};

/** 3.1: MFA whenever the user is outside the corporate IP list. */
function mfaOutsideCorporate(ipListId: string): AuthnPolicy {
  return {
    ...REQUIRE_MFA_ALL_USERS,
    name: "MFA Outside Corporate",
    conditions: { not: { ipAddressIn: [ipListId] } },
  };
}

/** A remediation run: each hardening fix through the typed resource calls. */
async function remediate(sim: RunningSimulator, c: JumpCloudClient, jc: Resources): Promise<InsightsEvent[]> {
  const orgId = String(defined(sim.scenario.organizations[0], "organization").organization._id);

  // 5.x prerequisite: enable Directory Insights (notes §10.6), read-modify-write of the whole `features`.
  const org = await jc.getOrganization(c, orgId);
  await jc.updateOrganizationSettings(c, orgId, {
    features: { ...org.settings?.features, directoryInsights: { enabled: true } },
  });
  // Session hygiene: a whole `userPortal` object.
  await jc.updateOrganizationSettings(c, orgId, {
    userPortal: { cookieExpirationType: "session", idleSessionDurationMinutes: 60 },
  });

  // 1.2: require MFA for every active admin without it (the documented per-admin switch, notes §1).
  const admins = await collect(jc.listAdmins(c));
  const withoutMfa = admins.filter((a) => a.enableMultiFactor !== true && a.suspended !== true);
  expect(withoutMfa.length).toBeGreaterThan(0);
  for (const admin of withoutMfa) await jc.updateAdmin(c, admin._id, { enableMultiFactor: true });

  // 2.2: MFA at device login; no SSH passwords or root logins.
  const systems = await collect(
    jc.listSystems(c, [
      "allowMultiFactorAuthentication",
      "allowSshPasswordAuthentication",
      "allowSshRootLogin",
    ]),
  );
  const noMfa = systems.filter((s) => s.allowMultiFactorAuthentication === false);
  const ssh = systems.filter((s) => s.allowSshPasswordAuthentication || s.allowSshRootLogin);
  expect(noMfa.length).toBeGreaterThan(0);
  expect(ssh.length).toBeGreaterThan(0);
  for (const s of noMfa) await jc.updateSystem(c, s._id, { allowMultiFactorAuthentication: true });
  for (const s of ssh)
    await jc.updateSystem(c, s._id, { allowSshPasswordAuthentication: false, allowSshRootLogin: false });

  // 4.2: RADIUS servers require MFA; PUT needs name, networkSourceIp and sharedSecret (from the stored doc).
  const radius = await collect(jc.listRadiusServers(c, ["mfa"]));
  const weak = radius.filter((r) => r.mfa !== "REQUIRED" && r.mfa !== "ALWAYS");
  expect(weak.length).toBeGreaterThan(0);
  for (const r of weak) {
    const server = await jc.getRadiusServer(c, r._id);
    await jc.updateRadiusServer(c, r._id, {
      name: defined(server.name, "name"),
      networkSourceIp: defined(server.networkSourceIp, "networkSourceIp"),
      sharedSecret: defined(server.sharedSecret, "sharedSecret"),
      mfa: "REQUIRED",
    });
  }

  // 3.1: a corporate IP list and MFA outside it.
  const corporate = await jc.createIpList(c, {
    name: "Corporate egress (remediation)",
    description: "Office and VPN egress",
    ips: ["203.0.113.0/24", "198.51.100.17"],
  });
  const outside = await jc.createAuthnPolicy(c, mfaOutsideCorporate(defined(corporate.id, "IP list id")));

  // 2.1: MFA for all users: fix the group-only policy (PATCH, there is no PUT) and add the corrected one.
  const policies = await collect(jc.listAuthnPolicies(c));
  const groupOnly = defined(
    policies.find(
      (p) => p.effect?.obligations?.mfa?.required && !p.targets?.users?.inclusions?.includes("ALL"),
    ),
    "group-only MFA policy",
  );
  const policyId = defined(groupOnly.id, "policy id");
  await jc.patchAuthnPolicy(c, policyId, {
    targets: { ...groupOnly.targets, users: { inclusions: ["ALL"] }, resources: [{ type: "user_portal" }] },
  });
  await jc.patchAuthnPolicy(c, policyId, { disabled: false });
  const allUsers = await jc.createAuthnPolicy(c, REQUIRE_MFA_ALL_USERS);

  // Rollback of what this run created (the remediation's undo path).
  await jc.deleteAuthnPolicy(c, defined(allUsers.id, "policy id"));
  await jc.deleteAuthnPolicy(c, defined(outside.id, "policy id"));
  await jc.deleteIpList(c, defined(corporate.id, "IP list id"));

  // 5.x: Directory Insights, projected and filtered, newest first, several pages (page size 5).
  const since = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const query: EventQuery = {
    service: ["directory", "sso"],
    start_time: since,
    sort: "DESC",
    fields: [
      "event_type",
      "timestamp",
      "success",
      "client_ip",
      "initiated_by.email",
      "initiated_by.username",
    ],
    search_term: { or: [{ event_type: ["admin_login_attempt", "user_login_attempt"] }] },
  };
  const events = await collect(jc.searchEvents(c, query));
  const failedAdminLogins = await jc.countEvents(c, {
    service: ["directory"],
    start_time: since,
    end_time: new Date().toISOString(),
    search_term: { and: [{ event_type: "admin_login_attempt" }, { success: false }] },
  });
  expect(failedAdminLogins).toBeGreaterThan(0);
  return events;
}

describe("request bodies the client sends fit the contract (closed)", () => {
  const sim = useSimulator({ scenario: "demo" });
  const called = new Set<string>();
  let events: InsightsEvent[] = [];

  it("a remediation run drives every write function and the Insights calls through the client", async () => {
    const c = simClient(sim(), { insightsPageSize: 5 });
    events = await remediate(sim(), c, tracked(called));
    expect(events.length).toBeGreaterThan(10);
    expect(WRITE_FUNCTIONS).toEqual(
      expect.arrayContaining([
        "updateOrganizationSettings",
        "updateAdmin",
        "updateSystem",
        "updateRadiusServer",
        "createAuthnPolicy",
        "patchAuthnPolicy",
        "deleteAuthnPolicy",
        "createIpList",
        "deleteIpList",
      ]),
    );
    expect([...WRITE_FUNCTIONS, ...INSIGHTS_FUNCTIONS].filter((name) => !called.has(name))).toEqual([]);
  });

  it("every logged request fits the contract, with a 2xx answer", () => {
    const requests = sim().requests;
    expect(requests.length).toBeGreaterThan(EXPECTED_OPS.length);
    expect(violations(requests)).toEqual([]);
    expect(
      requests
        .filter((r) => r.status < 200 || r.status > 299)
        .map((r) => `${r.method} ${r.path} ${r.status}`),
    ).toEqual([]);
  });

  it("hit every operation of the write and Insights functions, all of them contract operations", () => {
    const hit = new Set(sim().requests.map((r) => contract.operationFor(r.method, r.path)));
    expect(EXPECTED_OPS.filter((op) => !hit.has(op))).toEqual([]);
    expect(EXPECTED_OPS.filter((op) => !contractOperations().includes(op))).toEqual([]);
    const writes = new Set(
      sim()
        .writes()
        .map((r) => contract.operationFor(r.method, r.path)),
    );
    expect([...writes].sort()).toEqual(EXPECTED_OPS.filter((op) => !op.includes("/insights/")).sort());
  });

  it("paged Directory Insights with search_after, fields, search_term and sort", () => {
    const queries = sim()
      .requests.filter(
        (r) => contract.operationFor(r.method, r.path) === "POST /insights/directory/v1/events",
      )
      .map((r) => r.body as Record<string, unknown>);
    expect(queries.length).toBeGreaterThan(2);
    expect(queries.filter((q) => Array.isArray(q.search_after)).length).toBe(queries.length - 1);
    for (const q of queries) {
      expect(q.fields).toEqual(expect.arrayContaining(["event_type", "timestamp"]));
      expect(q.search_term).toBeDefined();
      expect(q.sort).toBe("DESC");
      expect(q.limit).toBe(5);
    }
    expect(new Set(events.map((e) => e.event_type))).toEqual(
      new Set(["admin_login_attempt", "user_login_attempt"]),
    );
  });

  it("sent the RADIUS shared secret (masked in the log, still a string) with name and networkSourceIp", () => {
    const puts = sim().requests.filter(
      (r) => contract.operationFor(r.method, r.path) === "PUT /api/radiusservers/{id}",
    );
    expect(puts.length).toBeGreaterThan(0);
    for (const r of puts) {
      expect(r.body).toMatchObject({
        name: expect.any(String),
        networkSourceIp: expect.any(String),
        sharedSecret: "[REDACTED]",
        mfa: "REQUIRED",
      });
    }
  });
});

describe("the request check fails on the guide's known-wrong bodies", () => {
  const sim = useSimulator({ scenario: "demo" });

  it("rejects mfaFactors as strings and settings.requireAdminMFA (validator)", () => {
    const strings = {
      ...REQUIRE_MFA_ALL_USERS,
      effect: { action: "allow", obligations: { mfa: { required: true }, mfaFactors: ["TOTP"] } },
    };
    const factors = contract.validateRequest("POST", "/api/v2/authn/policies", strings);
    expect(factors.ok).toBe(false);
    expect(factors.ok ? "" : factors.errors.join("\n")).toMatch(/mfaFactors/);
    const orgPath = "/api/organizations/5f0000000000000000000001";
    const adminMfa = contract.validateRequest("PUT", orgPath, { settings: { requireAdminMFA: true } });
    expect(adminMfa.ok).toBe(false);
    expect(adminMfa.ok ? "" : adminMfa.errors.join("\n")).toMatch(/requireAdminMFA/);
  });

  it("flags them in the logged requests when the client sends them", async () => {
    const c = simClient(sim());
    const orgId = String(defined(sim().scenario.organizations[0], "organization").organization._id);
    // The simulator validates incoming bodies in open mode, so this write is accepted (and ignored)...
    await resources.updateOrganizationSettings(c, orgId, { requireAdminMFA: true });
    // ...while string factors fail even the open schema: the simulator answers 400.
    const bad = {
      ...REQUIRE_MFA_ALL_USERS,
      effect: { action: "allow", obligations: { mfaFactors: ["TOTP"] } },
    };
    await rejection(resources.createAuthnPolicy(c, bad as unknown as AuthnPolicy));

    const found = violations(sim().requests).join("\n");
    expect(found).toMatch(/PUT \/api\/organizations\/\w+: .*requireAdminMFA/);
    expect(found).toMatch(/POST \/api\/v2\/authn\/policies: .*mfaFactors/);
  });
});
