/**
 * Directory Insights events for the detection tests, in the shape real tenants record (notes §12.4, which
 * wins over the documented §9): lowercase values, `initiated_by`, `changes: [{field, from, to}]`, ISO
 * timestamps, `geoip.country_code`; `admin_login_attempt` without `resource` or `mfa_meta`; RADIUS logins
 * as `radius_auth_attempt`; `sso_auth` with `sso_token_success` and no `success`.
 */
import type { InsightsEvent } from "../../lambdas/jumpcloud/types.js";

/** Organization the events belong to. */
export const ORG_ID = "5f00000000000000000000e1";
/** Time of the first event of every case. */
export const T0 = Date.parse("2026-11-28T09:00:00.000Z");
/** One minute, in milliseconds. */
export const MINUTE = 60_000;

/** The administrator who makes the changes. */
export const ADMIN = { id: "5f0000010000000000000001", type: "admin", email: "alice.admin@example.com" };

let sequence = 0;
const nextId = () => `6a4e${(++sequence).toString(16).padStart(20, "0")}`;

/**
 * Options of one event: where it lands in time, plus any field of the event. Fields are untyped on
 * purpose: real events carry odd types (`success: "false"`, `client_ip: null`) the rules must tolerate.
 */
export type EventFields = { [field: string]: unknown; at?: number };

/**
 * A Directory Insights event; defaults to a successful directory event by {@link ADMIN} at {@link T0}.
 * A field given as `undefined` is left out.
 */
export function event(type: string, fields: EventFields = {}): InsightsEvent {
  const { at, ...rest } = fields;
  const built: Record<string, unknown> = {
    id: nextId(),
    event_type: type,
    service: "directory",
    timestamp: new Date(at ?? T0).toISOString(),
    organization: ORG_ID,
    provider: null,
    "@version": "1",
    success: true,
    client_ip: "203.0.113.10",
    initiated_by: { ...ADMIN },
    geoip: { country_code: "us", continent_code: "na", region_code: "ca", timezone: "america/los_angeles" },
    useragent: { name: "chrome", major: "131", os: "mac os x", device: "other" },
    ...rest,
  };
  for (const [key, value] of Object.entries(built)) if (value === undefined) delete built[key];
  return built as InsightsEvent;
}

/**
 * An Admin Portal login attempt by `email`, as real tenants record it: the administrator is in
 * `initiated_by`, `mfa` is a boolean, and there is no `resource` and no `mfa_meta`.
 */
export function adminLogin(success: boolean, fields: EventFields & { email?: string } = {}): InsightsEvent {
  const { email = "frank.contractor@example.com", ...rest } = fields;
  return event("admin_login_attempt", {
    success,
    initiated_by: { id: "5f0000010000000000000002", type: "admin", email },
    mfa: success,
    ...(success ? {} : { error_message: "invalid credentials" }),
    ...rest,
  });
}

/** An Admin Portal login attempt in the documentation's example shape (the admin is the `resource`, with `mfa_meta`). */
export function documentedAdminLogin(
  success: boolean,
  fields: EventFields & { email?: string } = {},
): InsightsEvent {
  const { email = "frank.contractor@example.com", ...rest } = fields;
  return event("admin_login_attempt", {
    success,
    initiated_by: undefined,
    mfa: success,
    mfa_meta: { type: success ? "totp" : "none" },
    resource: { id: "5f0000010000000000000002", type: "admin", email },
    target_resource: { type: "admin_portal" },
    ...(success ? {} : { error_message: "invalid credentials" }),
    ...rest,
  });
}

/**
 * The user-facing authentication event types as real tenants name them (User Portal, SSO, RADIUS, LDAP,
 * device login). `radius_auth` (the documented, unobserved name) is not among them: see `userAuth`.
 */
export const USER_AUTH_TYPES = [
  "user_login_attempt",
  "sso_auth",
  "radius_auth_attempt",
  "ldap_bind",
  "login_attempt",
];

/**
 * A user authentication of `type` by `username`. Its outcome is recorded as JumpCloud records it:
 * `sso_token_success` (and no `success`) on `sso_auth`, `success` on every other type.
 */
export function userAuth(
  type: string,
  success: boolean,
  fields: EventFields & { username?: string } = {},
): InsightsEvent {
  const { username = "karl.sales", ...rest } = fields;
  const service: Record<string, string> = {
    user_login_attempt: "directory",
    sso_auth: "sso",
    radius_auth_attempt: "radius",
    radius_auth: "radius",
    ldap_bind: "ldap",
    login_attempt: "systems",
  };
  const radius = type === "radius_auth_attempt" || type === "radius_auth";
  return event(type, {
    service: service[type] ?? "directory",
    ...(type === "sso_auth" ? { success: undefined, sso_token_success: success } : { success }),
    initiated_by: { id: "5f0000020000000000000007", type: "systemuser", username },
    username,
    ...(success ? {} : { error_message: "invalid credentials" }),
    ...(type === "sso_auth" ? { application: { name: "slack", display_label: "slack" } } : {}),
    ...(radius ? { nas_mfa_state: "required", auth_type: "pap" } : {}),
    ...(type === "login_attempt"
      ? { system: { id: "5f0000030000000000000004", hostname: "darwin-004" } }
      : {}),
    ...rest,
  });
}

/**
 * `count` events built by `make`, `spacingMs` apart starting at `start`.
 * E.g. `burst(5, MINUTE, (at) => adminLogin(false, { at }))` spans four minutes.
 */
export function burst(
  count: number,
  spacingMs: number,
  make: (at: number, index: number) => InsightsEvent,
  start = T0,
): InsightsEvent[] {
  return Array.from({ length: count }, (_, i) => make(start + i * spacingMs, i));
}
