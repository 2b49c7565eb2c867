/** `compliant`: a small organization that satisfies every control of the hardening guide. */
import type { Doc } from "../query.js";
import { DEFAULT_SIM_API_KEY, emptyOrg, type OrgData, type Scenario } from "../scenario.js";
import {
  admin,
  deviceTrustPolicy,
  idFactory,
  mfaPolicy,
  type OsFamily,
  organization,
  policy,
  policyResult,
  radiusServer,
  system,
  systemUser,
} from "./builders.js";
import {
  adminLoginEvent,
  insightsEvent,
  type PolicyKind,
  policyValues,
  radiusAuthEvent,
  ssoAuthEvent,
  templateCatalog,
  userLoginEvent,
} from "./catalog.js";

/** Fixed id of the preset organization. */
export const COMPLIANT_ORG_ID = "5f0000000000000000000001";

const FIRST = [
  "alice",
  "bob",
  "carol",
  "dave",
  "erin",
  "frank",
  "grace",
  "heidi",
  "ivan",
  "judy",
  "mallory",
  "niaj",
];
const LAST = [
  "smith",
  "jones",
  "brown",
  "taylor",
  "wilson",
  "davies",
  "evans",
  "thomas",
  "roberts",
  "walker",
];
const DEPTS = ["Engineering", "Sales", "Finance", "Support", "People"];
const KINDS: PolicyKind[] = ["screenLock", "diskEncryption", "firewall", "osUpdates"];

/** Ids per collection; each collection has its own prefix so ids never collide. */
export function orgIds() {
  return {
    admin: idFactory(1),
    user: idFactory(2),
    system: idFactory(3),
    radius: idFactory(4),
    authn: idFactory(5),
    iplist: idFactory(6),
    policy: idFactory(7),
    result: idFactory(8),
    ldap: idFactory(9),
    event: idFactory(10),
  };
}

/** A hardened organization with `users` users and `systems` systems spread over macOS, Windows and Linux. */
export function hardenedOrg(
  now: Date,
  opts: { name: string; orgId?: string; users: number; systems: number },
): OrgData {
  const orgId = opts.orgId ?? COMPLIANT_ORG_ID;
  const ids = orgIds();
  const org = emptyOrg(organization(orgId, opts.name, now));
  org.admins = [
    admin(ids.admin(), orgId, now, {
      email: "alice.owner@example.com",
      roleName: "Administrator With Billing",
    }),
    admin(ids.admin(), orgId, now, { email: "bob.admin@example.com", roleName: "Administrator" }),
    admin(ids.admin(), orgId, now, { email: "carol.helpdesk@example.com", roleName: "Help Desk" }),
    admin(ids.admin(), orgId, now, { email: "dave.auditor@example.com", roleName: "Read Only" }),
  ];
  for (let i = 0; i < opts.users; i++) {
    const username = `${FIRST[i % FIRST.length]}.${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= FIRST.length * LAST.length ? i : ""}`;
    org.systemUsers.push(
      systemUser(ids.user(), orgId, now, { username, department: DEPTS[i % DEPTS.length] }),
    );
  }
  const families: OsFamily[] = ["darwin", "windows", "linux"];
  for (let i = 0; i < opts.systems; i++) {
    const os = families[i % 3] as OsFamily;
    org.systems.push(
      system(ids.system(), orgId, now, { hostname: `${os}-${String(i + 1).padStart(3, "0")}`, os }),
    );
  }
  const corporate = {
    id: ids.iplist(),
    name: "Corporate egress",
    description: "Office and VPN egress",
    ips: ["203.0.113.0/24", "198.51.100.17"],
  };
  org.ipLists = [corporate];
  org.authnPolicies = [
    mfaPolicy(ids.authn(), { name: "Require MFA - All Users" }),
    mfaPolicy(ids.authn(), {
      name: "MFA Outside Corporate",
      conditions: { not: { ipAddressIn: [corporate.id] } },
    }),
    deviceTrustPolicy(ids.authn(), "Managed and encrypted devices only"),
  ];
  const { all, byKey } = templateCatalog();
  org.policyTemplates = all;
  for (const os of families) {
    for (const kind of KINDS) {
      const tmpl = byKey.get(`${os}:${kind}`) as Doc;
      const p = policy(ids.policy(), `${tmpl.displayName} (${os})`, tmpl, policyValues(tmpl));
      org.policies.push(p);
      for (const sys of org.systems.filter((s) => s.osFamily === os)) {
        org.policyStatuses.push(policyResult(ids.result(), p.id as string, sys._id as string, now, true));
      }
    }
  }
  org.radiusServers = [
    radiusServer(ids.radius(), orgId, {
      name: "Office Wi-Fi",
      mfa: "REQUIRED",
      sharedSecret: "k7#Qv9!mZ2pL8xR4wT6yB1nC3sD5fG0h",
      sourceIp: "203.0.113.1",
    }),
  ];
  org.ldapServers = [
    {
      id: ids.ldap(),
      name: "JumpCloud LDAP",
      userLockoutAction: "disable",
      userPasswordExpirationAction: "disable",
    },
  ];
  const bob = org.admins.find((a) => a.email === "bob.admin@example.com") as Doc;
  org.events = routineEvents(orgId, now, ids.event, {
    admin: { id: bob._id as string, email: bob.email as string },
    ssoPolicy: { id: org.authnPolicies[0]?.id as string, name: org.authnPolicies[0]?.name as string },
    system: org.systems[0],
  });
  return org;
}

/** Days of routine history before the last 24 hours (older than the 15-day retention of Free/Core). */
export const HISTORY_DAYS = 30;

/**
 * Routine events: over the last 24 hours one User Portal login an hour, an admin login every 6 hours,
 * a RADIUS and an SSO login every 4 hours, and agent events whose types are absent from the documented
 * list (`command_result`, `policy_result`: notes §12.4); before that, one admin login a day for
 * `HISTORY_DAYS` days. All successful.
 */
export function routineEvents(
  orgId: string,
  now: Date,
  nextId: () => string,
  who: { admin: { id: string; email: string }; ssoPolicy: { id: string; name: string }; system?: Doc },
): Doc[] {
  const events: Doc[] = [];
  const hour = 3_600_000;
  for (let day = HISTORY_DAYS; day >= 2; day--) {
    events.push(
      adminLoginEvent(nextId(), orgId, {
        at: new Date(now.getTime() - day * 24 * hour + 600_000),
        adminId: who.admin.id,
        email: who.admin.email,
        success: true,
        mfa: true,
      }),
    );
  }
  for (let h = 24; h >= 1; h--) {
    const at = new Date(now.getTime() - h * hour);
    const username = `${FIRST[h % FIRST.length]}.smith`;
    events.push(userLoginEvent(nextId(), orgId, { at, username, success: true }));
    if (h % 6 === 0) {
      events.push(
        adminLoginEvent(nextId(), orgId, {
          at: new Date(at.getTime() + 600_000),
          adminId: who.admin.id,
          email: who.admin.email,
          success: true,
          mfa: true,
        }),
      );
    }
    if (h % 4 === 1) {
      events.push(
        radiusAuthEvent(nextId(), orgId, {
          at: new Date(at.getTime() + 900_000),
          username,
          success: true,
          nasMfaState: "REQUIRED",
          ip: "203.0.113.1",
        }),
        ssoAuthEvent(nextId(), orgId, {
          at: new Date(at.getTime() + 1_200_000),
          username,
          tokenSuccess: true,
          policy: who.ssoPolicy,
        }),
      );
    }
    if (h % 8 === 2 && who.system) {
      const { _id, hostname, displayName } = who.system;
      const host = { id: _id, hostname, displayName };
      events.push(
        insightsEvent(nextId(), orgId, {
          type: "policy_result",
          service: "systems",
          at: new Date(at.getTime() + 1_500_000),
          success: true,
          extra: { system: host },
        }),
        insightsEvent(nextId(), orgId, {
          type: "command_result",
          service: "systems",
          at: new Date(at.getTime() + 1_800_000),
          success: true,
          extra: { system: host },
        }),
      );
    }
  }
  return events;
}

/** The `compliant` preset. */
export function compliantScenario(now: Date): Scenario {
  return {
    name: "compliant",
    description: "Small organization that passes every control of the hardening guide",
    plan: "platform",
    apiKey: DEFAULT_SIM_API_KEY,
    organizations: [hardenedOrg(now, { name: "Acme Secure", users: 24, systems: 9 })],
  };
}
