/**
 * `demo`: a realistic mid-size organization ("Globex") with a typical mix of gaps. Starts from the
 * hardened organization and changes one thing per gap, so each failing control is easy to trace.
 */
import type { Doc } from "../query.js";
import { DEFAULT_SIM_API_KEY, type Scenario } from "../scenario.js";
import { admin, idFactory, mfaPolicy, policyResult, radiusServer, systemUser } from "./builders.js";
import {
  adminLoginEvent,
  insightsEvent,
  radiusAuthEvent,
  ssoAuthEvent,
  USERAGENT,
  userLoginEvent,
} from "./catalog.js";
import { hardenedOrg } from "./compliant.js";

/** Fixed id of the demo organization. */
export const DEMO_ORG_ID = "5f00000000000000000000d1";

/** The `demo` preset. */
export function demoScenario(now: Date): Scenario {
  const org = hardenedOrg(now, { name: "Globex Corporation", orgId: DEMO_ORG_ID, users: 60, systems: 24 });
  const more = {
    admin: idFactory(21),
    user: idFactory(22),
    result: idFactory(28),
    radius: idFactory(24),
    event: idFactory(30),
  };
  const byName = (docs: Doc[], key: string, value: string) => docs.find((d) => d[key] === value) as Doc;

  // 1.1 / 1.2: two more full administrators (four in all), one without MFA; one admin with an API key.
  org.admins.push(
    admin(more.admin(), DEMO_ORG_ID, now, { email: "erin.ops@example.com", roleName: "Administrator" }),
    admin(more.admin(), DEMO_ORG_ID, now, {
      email: "frank.contractor@example.com",
      roleName: "Administrator",
      mfa: false,
    }),
    admin(more.admin(), DEMO_ORG_ID, now, {
      email: "old.admin@example.com",
      roleName: "Administrator",
      mfa: false,
      suspended: true,
    }),
  );
  Object.assign(byName(org.admins, "email", "bob.admin@example.com"), {
    apiKeyAllowed: true,
    apiKeySet: true,
    apiKeyUpdatedAt: now.toISOString(),
  });

  // 2.1: the MFA policy targets one group instead of all users; some users are not enrolled or excluded.
  const groupId = "5f1b00000000000000000001";
  const mfaAll = byName(org.authnPolicies, "name", "Require MFA - All Users");
  Object.assign(
    mfaAll,
    mfaPolicy(mfaAll.id as string, { name: "Require MFA - Engineering", allUsers: false, groupId }),
  );
  const newcomers: [string, "none" | "pending"][] = [
    ["ivy.newhire", "none"],
    ["karl.sales", "none"],
    ["lena.finance", "none"],
    ["omar.support", "pending"],
    ["pia.intern", "pending"],
  ];
  for (const [username, mfa] of newcomers)
    org.systemUsers.push(systemUser(more.user(), DEMO_ORG_ID, now, { username, mfa }));
  org.systemUsers.push(
    systemUser(more.user(), DEMO_ORG_ID, now, { username: "quinn.exec", mfa: "none", exclusionDays: 30 }),
    systemUser(more.user(), DEMO_ORG_ID, now, {
      username: "ravi.travel",
      mfa: "totp-only",
      exclusionDays: 7,
    }),
    systemUser(more.user(), DEMO_ORG_ID, now, { username: "sam.gone", mfa: "none", state: "SUSPENDED" }),
    systemUser(more.user(), DEMO_ORG_ID, now, {
      username: "svc.ldap-wiki",
      mfa: "none",
      ldapBinding: true,
      department: "IT",
    }),
    systemUser(more.user(), DEMO_ORG_ID, now, {
      username: "svc.ldap-printer",
      mfa: "none",
      ldapBinding: true,
      department: "IT",
    }),
  );

  // 2.2: three systems without MFA at login; one Linux server allows SSH passwords and root login.
  for (const hostname of ["darwin-004", "windows-005", "linux-006"]) {
    byName(org.systems, "hostname", hostname).allowMultiFactorAuthentication = false;
  }
  Object.assign(byName(org.systems, "hostname", "linux-009"), {
    allowSshPasswordAuthentication: true,
    allowSshRootLogin: true,
  });

  // 3.1: a second trusted list that trusts the whole internet, used by the conditional-access policy.
  const broad = {
    id: "5f0000060000000000000099",
    name: "Partner ranges",
    description: "Temporary",
    ips: ["10.0.0.0/8", "0.0.0.0/0"],
  };
  org.ipLists.push(broad);
  const outside = byName(org.authnPolicies, "name", "MFA Outside Corporate");
  outside.conditions = { not: { ipAddressIn: [org.ipLists[0]?.id, broad.id] } };

  // 3.2: no device-trust policy.
  org.authnPolicies = org.authnPolicies.filter((p) => p.name !== "Managed and encrypted devices only");

  // 4.1: no LUKS policy for Linux; macOS locks after 15 minutes (`timeout` is in seconds: 900); BitLocker
  // failing on two machines, whose agents report the disk unencrypted (`fde.active: false`).
  const templateOf = (name: string) => org.policies.find((p) => (p.template as Doc).name === name) as Doc;
  const luks = templateOf("luks_full_disk_encryption_linux");
  org.policies = org.policies.filter((p) => p !== luks);
  org.policyStatuses = org.policyStatuses.filter((s) => s.policyID !== luks.id);
  const darwinLock = templateOf("lock_screen_darwin");
  for (const value of darwinLock.values as Doc[]) if (value.configFieldName === "timeout") value.value = 900;
  const bitlocker = templateOf("bitlocker_windows");
  const bitlockerResults = org.policyStatuses.filter((s) => s.policyID === bitlocker.id);
  const unencrypted = (systemId: unknown) =>
    Object.assign(byName(org.systems, "_id", systemId as string), {
      fde: { active: false, keyPresent: false },
    });
  for (const result of bitlockerResults.slice(0, 2)) {
    Object.assign(
      result,
      policyResult(result.id as string, bitlocker.id as string, result.systemID as string, now, false),
    );
    unencrypted(result.systemID);
  }
  // A Windows machine with no BitLocker result yet (not encrypted yet either).
  org.policyStatuses = org.policyStatuses.filter((s) => s !== bitlockerResults[2]);
  unencrypted(bitlockerResults[2]?.systemID);

  // 4.2: LDAP is in use (two binding service accounts below); RADIUS asks for MFA only when configured,
  // with a short shared secret.
  (org.organization.settings as Doc).disableLdap = false;
  org.radiusServers.push(
    radiusServer(more.radius(), DEMO_ORG_ID, {
      name: "Branch VPN",
      mfa: "ENABLED",
      sharedSecret: "vpn2024!",
      sourceIp: "198.51.100.40",
    }),
  );

  // 5.x: noteworthy events for the detections (every class of the 5.2 table has data): a burst of failed
  // admin logins, a TOTP disable, config changes, a policy change, a new device and failed user logins.
  const frank = byName(org.admins, "email", "frank.contractor@example.com");
  const byFrank = { id: frank._id as string, email: "frank.contractor@example.com" };
  const burstStart = now.getTime() - 5 * 3_600_000;
  for (let i = 0; i < 6; i++) {
    org.events.push(
      adminLoginEvent(more.event(), DEMO_ORG_ID, {
        at: new Date(burstStart + i * 60_000),
        adminId: byFrank.id,
        email: byFrank.email,
        success: false,
        mfa: false,
        ip: "192.0.2.66",
      }),
    );
  }
  const changes: [string, Doc][] = [
    [
      "admin_update",
      {
        resource: { type: "admin", email: "frank.contractor@example.com" },
        changes: [{ field: "enableMultiFactor", from: true, to: false }],
      },
    ],
    ["admin_totp_disable", { resource: { type: "admin", email: "frank.contractor@example.com" } }],
    [
      "authpolicy_update",
      {
        resource: { type: "authn_policy", name: "require mfa - engineering" },
        changes: [{ field: "targets", from: "all", to: "group" }],
      },
    ],
    [
      "iplist_update",
      { resource: { type: "ip_list", name: "partner ranges" }, changes: [{ field: "ips", to: "0.0.0.0/0" }] },
    ],
    [
      "organization_update",
      { changes: [{ field: "settings.userPortal.idleSessionDurationMinutes", from: 60, to: 480 }] },
    ],
  ];
  changes.forEach(([type, extra], i) => {
    org.events.push(
      insightsEvent(more.event(), DEMO_ORG_ID, {
        type,
        at: new Date(now.getTime() - (4 - i * 0.5) * 3_600_000),
        success: true,
        ip: "192.0.2.66",
        actor: byFrank,
        extra: { auth_method: "session", useragent: USERAGENT, ...extra },
      }),
    );
  });
  // The macOS lock-screen change behind the 4.1 gap (300 → 900 seconds), by the same admin.
  org.events.push(
    insightsEvent(more.event(), DEMO_ORG_ID, {
      type: "policy_update",
      at: new Date(now.getTime() - 1.5 * 3_600_000),
      success: true,
      ip: "192.0.2.66",
      actor: byFrank,
      resource: {
        type: "policy",
        id: darwinLock.id as string,
        name: "lock screen (darwin)",
        policy_template_name: "lock_screen_darwin",
      },
      extra: {
        auth_method: "session",
        useragent: USERAGENT,
        changes: [{ field: "values", from: "300", to: "900" }],
      },
    }),
  );
  // A device nobody expected, enrolled overnight (not in the systems list: it was removed again).
  org.events.push(
    insightsEvent(more.event(), DEMO_ORG_ID, {
      type: "system_create",
      service: "systems",
      at: new Date(now.getTime() - 9 * 3_600_000),
      success: true,
      ip: "198.51.100.77",
      resource: { type: "system", id: "5f00000300000000000000ff", name: "desktop-7qk2m9l" },
      extra: {
        system: {
          id: "5f00000300000000000000ff",
          hostname: "desktop-7qk2m9l",
          displayName: "desktop-7qk2m9l",
        },
      },
    }),
  );
  // A few mistyped passwords (failed authentication, far below any brute-force threshold, from different
  // addresses and hours): 3 on the User Portal, 2 on the Branch VPN's RADIUS, 2 SSO logins whose token
  // was refused (`sso_token_success: false`; SSO events have no `success`).
  for (const [hoursAgo, username] of [
    [20, "karl.sales"],
    [11, "karl.sales"],
    [7, "lena.finance"],
  ] as const) {
    org.events.push(
      userLoginEvent(more.event(), DEMO_ORG_ID, {
        at: new Date(now.getTime() - hoursAgo * 3_600_000 + 120_000),
        username,
        success: false,
        ip: "198.51.100.23",
      }),
    );
  }
  for (const [hoursAgo, username, ip] of [
    [16, "ivy.newhire", "198.51.100.41"],
    [3, "karl.sales", "198.51.100.42"],
  ] as const) {
    org.events.push(
      radiusAuthEvent(more.event(), DEMO_ORG_ID, {
        at: new Date(now.getTime() - hoursAgo * 3_600_000 + 240_000),
        username,
        success: false,
        nasMfaState: "ENABLED",
        ip,
      }),
    );
  }
  const engineering = byName(org.authnPolicies, "name", "Require MFA - Engineering");
  for (const [hoursAgo, username, ip] of [
    [13, "lena.finance", "198.51.100.24"],
    [6, "omar.support", "198.51.100.25"],
  ] as const) {
    org.events.push(
      ssoAuthEvent(more.event(), DEMO_ORG_ID, {
        at: new Date(now.getTime() - hoursAgo * 3_600_000 + 360_000),
        username,
        tokenSuccess: false,
        policy: { id: engineering.id as string, name: engineering.name as string },
        ip,
      }),
    );
  }
  // LDAP searches by the binding service accounts: `ldap_srch` is absent from the documented event
  // types (a live tenant emitted it, notes §12.4), so audits must tolerate it.
  for (const [hoursAgo, username] of [
    [22, "svc.ldap-wiki"],
    [14, "svc.ldap-printer"],
    [2, "svc.ldap-wiki"],
  ] as const) {
    org.events.push(
      insightsEvent(more.event(), DEMO_ORG_ID, {
        type: "ldap_srch",
        service: "ldap",
        at: new Date(now.getTime() - hoursAgo * 3_600_000 + 480_000),
        success: true,
        ip: "10.20.0.15",
        extra: { username },
      }),
    );
  }
  org.events.sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)));

  return {
    name: "demo",
    description: "Mid-size organization with a realistic mix of hardening gaps",
    plan: "platform",
    apiKey: DEFAULT_SIM_API_KEY,
    organizations: [org],
  };
}
