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
  insightsEvent,
  LOCK_TIMEOUT_FIELD,
  lockTimeoutConfigField,
  type PolicyKind,
  templateCatalog,
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
      const values: [string, string][] = kind === "screenLock" ? [[LOCK_TIMEOUT_FIELD, "5"]] : [];
      const fields = kind === "screenLock" ? [lockTimeoutConfigField()] : [];
      const p = policy(ids.policy(), `${tmpl.displayName} (${os})`, tmpl, values, fields);
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
  org.events = routineEvents(orgId, now, ids.event, 24);
  return org;
}

/** A steady trickle of routine events over the last `hours` hours (logins, syncs). */
export function routineEvents(orgId: string, now: Date, nextId: () => string, hours: number): Doc[] {
  const events: Doc[] = [];
  for (let h = hours; h >= 1; h--) {
    const at = new Date(now.getTime() - h * 3_600_000);
    events.push(
      insightsEvent(nextId(), orgId, {
        type: "user_login_attempt",
        service: "sso",
        at,
        success: true,
        actor: { username: `${FIRST[h % FIRST.length]}.smith`, type: "systemuser" },
      }),
    );
    if (h % 6 === 0) {
      events.push(
        insightsEvent(nextId(), orgId, {
          type: "admin_login_attempt",
          at: new Date(at.getTime() + 600_000),
          success: true,
          actor: { email: "bob.admin@example.com" },
          resource: { type: "admin", email: "bob.admin@example.com" },
          extra: { mfa: true, mfa_meta: { type: "webauthn" } },
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
