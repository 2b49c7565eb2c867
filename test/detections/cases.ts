/**
 * Positive and negative test events for every rule of `detections/`, keyed by rule title.
 *
 * - Per-event rules: each sample is ONE event; a positive must match the rule, a negative must not.
 * - Correlation rules: each sample is a BATCH of events; a positive must produce exactly one match of the
 *   correlation, a negative (a near miss: one event short, spread too wide, split across addresses) none.
 */
import type { InsightsEvent } from "../../lambdas/jumpcloud/types.js";
import {
  adminLogin,
  burst,
  documentedAdminLogin,
  event,
  MINUTE,
  T0,
  USER_AUTH_TYPES,
  userAuth,
} from "./events.js";

/** One event (per-event rules) or a batch of events (correlation rules). */
export type Sample = InsightsEvent | InsightsEvent[];

/** The samples of one rule. */
export interface RuleCases {
  positive: Sample[];
  negative: Sample[];
}

const adminResource = (email: string) => ({ id: "5f0000010000000000000003", type: "admin", email });
const userResource = (username: string) => ({
  id: "5f0000020000000000000009",
  type: "user",
  name: username,
  email: `${username}@example.com`,
});
const change = (field: string, from: unknown, to: unknown) => ({ field, from, to });

/** `count` failed admin logins from one address, `spacingMs` apart, alternating between two admins. */
const adminBurst = (count: number, spacingMs: number, ip = "192.0.2.66", start = T0) =>
  burst(
    count,
    spacingMs,
    (at, i) =>
      adminLogin(false, {
        at,
        client_ip: ip,
        email: i % 2 ? "erin.ops@example.com" : "frank.contractor@example.com",
      }),
    start,
  );

/**
 * `count` failed user authentications from one address (`null`: without `client_ip`), cycling through
 * `types` (every user-auth type).
 */
const userBurst = (
  count: number,
  spacingMs: number,
  ip: string | null = "198.51.100.23",
  types: readonly string[] = USER_AUTH_TYPES,
  start = T0,
) =>
  burst(
    count,
    spacingMs,
    (at, i) =>
      userAuth(types[i % types.length] as string, false, {
        at,
        client_ip: ip ?? undefined,
        username: ["karl.sales", "lena.finance", "ivy.newhire"][i % 3] as string,
      }),
    start,
  );
/** `count` failed RADIUS logins (`radius_auth_attempt`, `success: false`) from one address. */
const radiusBurst = (count: number, ip = "198.51.100.23", start = T0) =>
  userBurst(count, 30_000, ip, ["radius_auth_attempt"], start);
/** `count` failed SSO logins (`sso_auth`, `sso_token_success: false`, no `success`) from one address. */
const ssoBurst = (count: number, ip = "198.51.100.23", start = T0) =>
  userBurst(count, 30_000, ip, ["sso_auth"], start);

/** Test samples by rule title. */
export const RULE_CASES: Record<string, RuleCases> = {
  // --- The guide's three code-pack rules ---------------------------------------------------------------
  "JumpCloud Failed Admin Portal Login": {
    positive: [
      // The real shape: no `resource`, no `mfa_meta`.
      adminLogin(false),
      adminLogin(false, { mfa: true, error_message: "invalid totp code" }),
      // The documentation's shape still matches.
      documentedAdminLogin(false),
      // Nothing but the type and the outcome (as a string).
      event("admin_login_attempt", { success: "false", initiated_by: undefined, client_ip: undefined }),
    ],
    negative: [
      adminLogin(true),
      documentedAdminLogin(true),
      // A failed *user* login is not an admin login.
      userAuth("user_login_attempt", false),
      // The outcome is not recorded: not a failure.
      adminLogin(false, { success: undefined }),
      adminLogin(false, { success: null }),
    ],
  },
  "JumpCloud Admin Portal Login Brute Force From One Address": {
    positive: [
      adminBurst(5, MINUTE),
      // Address-less failures around them are left out, not counted into the address's group.
      [
        ...adminBurst(5, MINUTE),
        ...burst(5, MINUTE, (at) => adminLogin(false, { at, client_ip: undefined })),
      ],
      // The demo's shape: six failures a minute apart, interleaved with another address's two failures.
      [...adminBurst(6, MINUTE), ...adminBurst(2, 90_000, "203.0.113.50")],
    ],
    negative: [
      // One failure short.
      adminBurst(4, MINUTE),
      // Five failures, but spread over eleven minutes.
      adminBurst(5, 165_000),
      // Five failures from five addresses.
      burst(5, MINUTE, (at, i) => adminLogin(false, { at, client_ip: `192.0.2.${70 + i}` })),
      // Five successful logins.
      burst(5, MINUTE, (at) => adminLogin(true, { at, client_ip: "192.0.2.66" })),
      // Four failures plus a success from the same address.
      [...adminBurst(4, MINUTE), adminLogin(true, { at: T0 + 5 * MINUTE, client_ip: "192.0.2.66" })],
      // Five failures without an address are not one source (they are not pooled under "").
      burst(5, MINUTE, (at) => adminLogin(false, { at, client_ip: undefined })),
      burst(5, MINUTE, (at, i) => adminLogin(false, { at, client_ip: [null, "", []][i % 3] })),
      // Four failures from one address and three without one.
      [
        ...adminBurst(4, MINUTE),
        ...burst(3, MINUTE, (at) => adminLogin(false, { at, client_ip: undefined })),
      ],
    ],
  },
  "JumpCloud Organization Settings Updated": {
    positive: [
      event("organization_update", {
        changes: [change("settings.userPortal.idleSessionDurationMinutes", 60, 480)],
      }),
      event("organization_update", {
        changes: [change("settings.passwordPolicy.minLength", 14, 8)],
      }),
    ],
    negative: [event("organization_create"), event("provider_update")],
  },
  "JumpCloud Administrator Created or Updated": {
    positive: [
      event("admin_create", {
        resource: adminResource("new.admin@example.com"),
        changes: [change("roleName", null, "administrator")],
      }),
      event("admin_update", {
        resource: adminResource("erin.ops@example.com"),
        changes: [change("roleName", "manager", "administrator with billing")],
      }),
    ],
    negative: [
      event("admin_delete", { resource: adminResource("old.admin@example.com") }),
      event("admin_password_change", { resource: adminResource("erin.ops@example.com") }),
    ],
  },

  // --- 5.2 Key Events to Monitor ---------------------------------------------------------------------------
  "JumpCloud Admin Portal Login": {
    positive: [adminLogin(true), adminLogin(false)],
    negative: [userAuth("user_login_attempt", true), event("admin_lockout")],
  },
  "JumpCloud Administrator Deleted, Suspended or Reactivated": {
    positive: [
      event("admin_delete", { resource: adminResource("erin.ops@example.com") }),
      event("admin_suspended", { resource: adminResource("erin.ops@example.com") }),
      event("admin_unsuspend", { resource: adminResource("old.admin@example.com") }),
    ],
    negative: [
      event("admin_update", { resource: adminResource("erin.ops@example.com") }),
      event("user_delete", { resource: userResource("sam.gone") }),
    ],
  },
  "JumpCloud Device Administrator Rights Granted or Revoked": {
    positive: [
      event("user_admin_granted", { resource: userResource("karl.sales") }),
      event("user_admin_revoked", { resource: userResource("karl.sales") }),
      event("user_group_admin_grant", { resource: { type: "user_group", name: "engineering" } }),
      event("user_group_admin_revoke", { resource: { type: "user_group", name: "engineering" } }),
    ],
    negative: [
      event("user_update", { resource: userResource("karl.sales") }),
      event("user_group_update", { resource: { type: "user_group", name: "engineering" } }),
    ],
  },
  "JumpCloud Administrator MFA Disabled": {
    positive: [
      event("admin_totp_disable", { resource: adminResource("frank.contractor@example.com") }),
      event("admin_update", {
        resource: adminResource("frank.contractor@example.com"),
        changes: [change("enableMultiFactor", true, false)],
      }),
      // Values may be stored lowercase and as strings.
      event("admin_update", {
        resource: adminResource("frank.contractor@example.com"),
        changes: [change("firstname", "frank", "franck"), change("enablemultifactor", "true", "false")],
      }),
      // Turned off while another setting is turned on in the same update.
      event("admin_update", {
        changes: [change("suspended", false, true), change("enableMultiFactor", true, false)],
      }),
      // The organization's admin MFA requirement turned off.
      event("organization_update", {
        changes: [
          change("settings.passwordPolicy.needsSymbolic", false, true),
          change("settings.requireAdminMFA", true, false),
        ],
      }),
    ],
    negative: [
      // MFA turned ON.
      event("admin_update", {
        resource: adminResource("frank.contractor@example.com"),
        changes: [change("enableMultiFactor", false, true)],
      }),
      // MFA turned ON while another change goes to false: each change is judged on its own.
      event("admin_update", {
        resource: adminResource("frank.contractor@example.com"),
        changes: [change("enableMultiFactor", false, true), change("suspended", true, false)],
      }),
      event("organization_update", {
        changes: [
          change("settings.requireAdminMFA", false, true),
          change("settings.passwordPolicy.needsSymbolic", true, false),
        ],
      }),
      // Another field of an admin.
      event("admin_update", {
        resource: adminResource("frank.contractor@example.com"),
        changes: [change("lastname", "smith", "jones")],
      }),
      event("admin_totp_finish_enrollment", { resource: adminResource("frank.contractor@example.com") }),
    ],
  },
  "JumpCloud User TOTP Enrollment Deleted": {
    positive: [event("totp_delete_enrollment", { resource: userResource("ravi.travel") })],
    negative: [
      event("totp_finish_enrollment", { resource: userResource("ravi.travel") }),
      // An MFA exclusion expiring turns MFA back on: not a bypass.
      event("user_mfa_exclusion_expired", { resource: userResource("quinn.exec") }),
    ],
  },
  "JumpCloud Failed User Authentication": {
    positive: [
      ...USER_AUTH_TYPES.map((type) => userAuth(type, false)),
      // The documented RADIUS name, should it occur.
      userAuth("radius_auth", false),
      // A failed SSO login without `success` (the real shape), with a string outcome, or with `success` only.
      event("sso_auth", { service: "sso", success: undefined, sso_token_success: false }),
      event("sso_auth", { service: "sso", success: undefined, sso_token_success: "false" }),
      event("sso_auth", { service: "sso", success: false }),
    ],
    negative: [
      userAuth("user_login_attempt", true),
      userAuth("radius_auth_attempt", true),
      userAuth("sso_auth", true),
      // An SSO login whose outcome is not recorded is not counted as a failure.
      event("sso_auth", { service: "sso", success: undefined }),
      event("sso_auth", { service: "sso", success: undefined, sso_token_success: null }),
      // Failed admin logins have their own rule.
      adminLogin(false),
      event("ldap_search", { service: "ldap", success: false }),
      // Types outside the documented list (notes §12.4) that are not authentications.
      event("command_result", { service: "systems", success: false }),
      event("ldap_srch", { service: "ldap", success: false }),
    ],
  },
  "JumpCloud User Authentication Brute Force From One Address": {
    positive: [
      userBurst(10, 50_000),
      [...userBurst(12, 30_000), ...userBurst(3, MINUTE, "203.0.113.99")],
      // RADIUS and SSO failures count together: 5 + 5 reach the threshold where neither alone does.
      [...radiusBurst(5), ...ssoBurst(5, "198.51.100.23", T0 + 15_000)],
      // Ten failed RADIUS logins alone.
      radiusBurst(10),
    ],
    negative: [
      // RADIUS and SSO failures one short together.
      [...radiusBurst(5), ...ssoBurst(4, "198.51.100.23", T0 + 15_000)],
      // Ten SSO logins that succeeded (`sso_token_success: true`, no `success`).
      burst(10, 30_000, (at) => userAuth("sso_auth", true, { at, client_ip: "198.51.100.23" })),
      // Ten failures without an address are not one source.
      userBurst(10, 30_000, null),
      // Nine failures from the address plus failures without one.
      [...userBurst(9, 30_000), ...userBurst(5, 30_000, null)],
      // One failure short.
      userBurst(9, 50_000),
      // Ten failures spread over eleven minutes.
      userBurst(10, 73_400),
      // Nine failures and a success from the same address.
      [
        ...userBurst(9, 50_000),
        userAuth("sso_auth", true, { at: T0 + 8 * MINUTE, client_ip: "198.51.100.23" }),
      ],
      // Ten failures split over two addresses.
      [...userBurst(5, MINUTE), ...userBurst(5, MINUTE, "198.51.100.24")],
    ],
  },
  "JumpCloud New Device Enrolled": {
    positive: [
      event("system_create", {
        service: "systems",
        initiated_by: undefined,
        client_ip: "198.51.100.77",
        resource: { type: "system", id: "5f00000300000000000000ff", name: "desktop-7qk2m9l" },
        system: {
          id: "5f00000300000000000000ff",
          hostname: "desktop-7qk2m9l",
          displayName: "desktop-7qk2m9l",
        },
      }),
      event("device_enrollment", { service: "mdm", resource: { type: "system", name: "win-laptop-12" } }),
    ],
    negative: [
      event("system_update", { service: "systems", resource: { type: "system", name: "darwin-004" } }),
      event("system_delete", { service: "systems", resource: { type: "system", name: "darwin-004" } }),
    ],
  },
  "JumpCloud Device Policy Created or Updated": {
    positive: [
      event("policy_update", {
        resource: { type: "policy", id: "5f0000070000000000000002", name: "lock screen (darwin)" },
        changes: [change("values", "5", "15")],
      }),
      event("policy_create", { resource: { type: "policy", name: "usb storage (linux)" } }),
    ],
    negative: [
      event("policy_delete", { resource: { type: "policy", name: "bitlocker (windows)" } }),
      event("authpolicy_update", { resource: { type: "authn_policy", name: "require mfa - all users" } }),
    ],
  },
  "JumpCloud Device Policy Deleted": {
    positive: [event("policy_delete", { resource: { type: "policy", name: "bitlocker (windows)" } })],
    negative: [
      event("policy_update", { resource: { type: "policy", name: "bitlocker (windows)" } }),
      event("authnpolicy_delete", { resource: { type: "authn_policy", name: "require mfa - all users" } }),
    ],
  },

  // --- The events that undo an audited control ------------------------------------------------------------
  "JumpCloud Conditional Access Policy Deleted": {
    positive: [
      event("authnpolicy_delete", { resource: { type: "authn_policy", name: "require mfa - all users" } }),
    ],
    negative: [
      event("authnpolicy_create", { resource: { type: "authn_policy", name: "require mfa - all users" } }),
      event("policy_delete", { resource: { type: "policy", name: "lock screen (darwin)" } }),
    ],
  },
  "JumpCloud Conditional Access Policy Disabled": {
    positive: [
      event("authpolicy_update", {
        resource: { type: "authn_policy", name: "require mfa - all users" },
        changes: [change("disabled", false, true)],
      }),
      event("authpolicy_update", {
        resource: { type: "authn_policy", name: "mfa outside corporate" },
        changes: [change("name", "mfa outside corporate", "old - mfa"), change("disabled", "false", "true")],
      }),
    ],
    negative: [
      // Re-enabled.
      event("authpolicy_update", {
        resource: { type: "authn_policy", name: "require mfa - all users" },
        changes: [change("disabled", true, false)],
      }),
      // Re-enabled while another field is set to true: each change is judged on its own.
      event("authpolicy_update", {
        changes: [change("disabled", true, false), change("effect.obligations.mfa.required", false, true)],
      }),
      event("authpolicy_update", {
        resource: { type: "authn_policy", name: "require mfa - engineering" },
        changes: [change("targets", "all", "group")],
      }),
      // The misspelling is the real name: `authnpolicy_update` is not a JumpCloud event.
      event("authnpolicy_update", { changes: [change("disabled", false, true)] }),
    ],
  },
  "JumpCloud Conditional Access Policy Created or Modified": {
    positive: [
      event("authpolicy_update", {
        resource: { type: "authn_policy", name: "require mfa - engineering" },
        changes: [change("targets", "all", "group")],
      }),
      event("authnpolicy_create", { resource: { type: "authn_policy", name: "allow partners" } }),
    ],
    negative: [
      event("authnpolicy_delete", { resource: { type: "authn_policy", name: "allow partners" } }),
      event("policy_update", { resource: { type: "policy", name: "lock screen (darwin)" } }),
    ],
  },
  "JumpCloud IP List Modified or Deleted": {
    positive: [
      event("iplist_update", {
        resource: { type: "ip_list", name: "partner ranges" },
        changes: [change("ips", "10.0.0.0/8", "10.0.0.0/8,0.0.0.0/0")],
      }),
      event("iplist_delete", { resource: { type: "ip_list", name: "corporate egress" } }),
    ],
    negative: [
      event("iplist_create", { resource: { type: "ip_list", name: "new office" } }),
      event("radiusserver_update", { resource: { type: "radius_server", name: "branch vpn" } }),
    ],
  },
  "JumpCloud IP List Made Very Broad": {
    positive: [
      event("iplist_update", {
        resource: { type: "ip_list", name: "partner ranges" },
        changes: [change("ips", "10.0.0.0/8", "0.0.0.0/0")],
      }),
      event("iplist_create", {
        resource: { type: "ip_list", name: "everyone" },
        changes: [change("ips", null, ["203.0.113.0/24", "0.0.0.0/1", "128.0.0.0/1"])],
      }),
      event("iplist_update", { changes: [change("ips", "192.0.2.0/24", "::/0")] }),
      event("iplist_update", { changes: [change("ips", "192.0.2.0/24", "0.0.0.0 - 255.255.255.255")] }),
    ],
    negative: [
      event("iplist_update", { changes: [change("ips", "10.0.0.0/8", "10.0.0.0/8,192.0.2.0/24")] }),
      event("iplist_update", { changes: [change("ips", "192.0.2.0/24", ["172.16.0.0/12", "10.0.0.0/8"])] }),
      event("iplist_update", { changes: [change("name", "partners", "partner ranges")] }),
      event("iplist_delete", { changes: [change("ips", "0.0.0.0/0", null)] }),
    ],
  },
  "JumpCloud RADIUS Server MFA Weakened": {
    positive: [
      event("radiusserver_update", {
        resource: { type: "radius_server", name: "branch vpn" },
        changes: [change("mfa", "required", "disabled")],
      }),
      event("radiusserver_update", {
        resource: { type: "radius_server", name: "office wi-fi" },
        changes: [change("mfa", "always", "enabled")],
      }),
      // Values as the API spells them, next to another change.
      event("radiusserver_update", {
        changes: [change("name", "branch vpn", "branch vpn 2"), change("mfa", "REQUIRED", "DISABLED")],
      }),
    ],
    negative: [
      // MFA raised.
      event("radiusserver_update", {
        resource: { type: "radius_server", name: "branch vpn" },
        changes: [change("mfa", "disabled", "required")],
      }),
      event("radiusserver_update", {
        resource: { type: "radius_server", name: "branch vpn" },
        changes: [change("mfa", "disabled", "enabled")],
      }),
      // Another field.
      event("radiusserver_update", {
        resource: { type: "radius_server", name: "branch vpn" },
        changes: [change("networkSourceIp", "198.51.100.40", "198.51.100.41")],
      }),
      // MFA raised while another field's value is "disabled": each change is judged on its own.
      event("radiusserver_update", {
        changes: [change("mfa", "enabled", "required"), change("description", "guest", "disabled")],
      }),
    ],
  },
  "JumpCloud RADIUS Server Created, Modified or Deleted": {
    positive: [
      event("radiusserver_create", { resource: { type: "radius_server", name: "guest wi-fi" } }),
      event("radiusserver_update", {
        resource: { type: "radius_server", name: "branch vpn" },
        changes: [change("sharedSecret", "<redacted>", "<redacted>")],
      }),
      event("radiusserver_delete", { resource: { type: "radius_server", name: "branch vpn" } }),
    ],
    negative: [
      userAuth("radius_auth_attempt", false),
      event("iplist_update", { resource: { type: "ip_list", name: "partner ranges" } }),
    ],
  },
  "JumpCloud Directory Insights Disabled": {
    positive: [
      event("organization_update", {
        changes: [change("settings.features.directoryInsights.enabled", true, false)],
      }),
      event("organization_update", {
        changes: [change("settings.features.directoryinsights.enabled", "true", "false")],
      }),
      // Turned off while another setting is turned on in the same update.
      event("organization_update", {
        changes: [
          change("settings.features.directoryInsights.enabled", true, false),
          change("settings.passwordPolicy.needsSymbolic", false, true),
        ],
      }),
      event("organization_update", {
        changes: [
          change("settings.passwordPolicy.needsSymbolic", false, true),
          change("settings.features.directoryInsights.enabled", "true", null),
        ],
      }),
    ],
    negative: [
      // Turned on (what the remediation does).
      event("organization_update", {
        changes: [change("settings.features.directoryInsights.enabled", false, true)],
      }),
      // Turned on while another setting goes to false.
      event("organization_update", {
        changes: [
          change("settings.passwordPolicy.needsSymbolic", true, false),
          change("settings.features.directoryInsights.enabled", false, true),
        ],
      }),
      // No changes recorded at all.
      event("organization_update", {}),
      event("organization_update", {
        changes: [change("settings.userPortal.idleSessionDurationMinutes", 60, 480)],
      }),
      event("admin_update", { changes: [change("directoryInsights", true, false)] }),
    ],
  },
  "JumpCloud Administrator Locked Out": {
    positive: [
      event("admin_lockout", {
        initiated_by: undefined,
        client_ip: "192.0.2.66",
        resource: adminResource("frank.contractor@example.com"),
      }),
    ],
    negative: [adminLogin(false), event("user_lockout", { resource: userResource("karl.sales") })],
  },
};
