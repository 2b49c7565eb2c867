/**
 * The guide's "Key Events to Monitor" (5.2) as Directory Insights queries. Event names are the
 * documented ones (PS-DI "Event Types", notes §9), e.g. `authpolicy_update` is spelled that way, plus
 * what real tenants record (notes §12.4): RADIUS authentications are `radius_auth_attempt`, and
 * `sso_auth` events carry no `success`: a failed SSO login is `sso_token_success: false`.
 */
import type { SearchClause } from "../jumpcloud/types.js";
import type { KeyEventClass } from "./snapshot.js";

/** One counted query of a class: event types plus the clauses that select the interesting outcome. */
export interface KeyEventQuery {
  /** Name of this part in the class's breakdown, e.g. `RADIUS`. */
  readonly label: string;
  readonly eventTypes: readonly string[];
  /** Extra clauses ANDed with the event types (values lowercase, as Directory Insights stores them). */
  readonly where: readonly SearchClause[];
}

/** One event class: its label, every event type it watches, and the disjoint queries counted for it. */
export interface KeyEventClassDefinition {
  readonly label: string;
  readonly eventTypes: readonly string[];
  readonly queries: readonly KeyEventQuery[];
}

const FAILED: SearchClause = { success: "false" };

function allOf(label: string, eventTypes: readonly string[]): KeyEventClassDefinition {
  return { label, eventTypes, queries: [{ label, eventTypes, where: [] }] };
}

/** Failed authentications, counted as JumpCloud records them; the queries select disjoint event types. */
const FAILED_AUTHENTICATION: readonly KeyEventQuery[] = [
  {
    label: "User Portal, device and LDAP",
    eventTypes: ["user_login_attempt", "login_attempt", "ldap_bind"],
    where: [FAILED],
  },
  // `radius_auth` is the documented name, `radius_auth_attempt` the recorded one (§12.4): count both.
  { label: "RADIUS", eventTypes: ["radius_auth_attempt", "radius_auth"], where: [FAILED] },
  // Real `sso_auth` events carry `sso_token_success`; `success` is accepted too in case some do.
  {
    label: "SSO",
    eventTypes: ["sso_auth"],
    where: [{ or: [{ sso_token_success: "false" }, FAILED] }],
  },
];

/** The six classes of the guide's table. */
export const KEY_EVENT_CLASSES: Record<KeyEventClass, KeyEventClassDefinition> = {
  adminLogins: allOf("Admin logins", ["admin_login_attempt"]),
  adminChanges: allOf("Admin changes", [
    "admin_create",
    "admin_update",
    "admin_delete",
    "admin_suspended",
    "admin_unsuspend",
    "admin_password_change",
    "user_admin_granted",
    "user_admin_revoked",
    "user_group_admin_grant",
    "user_group_admin_revoke",
  ]),
  mfaDisable: allOf("MFA disabled or bypassed", ["admin_totp_disable", "totp_delete_enrollment"]),
  failedAuthentication: {
    label: "Failed authentication",
    eventTypes: FAILED_AUTHENTICATION.flatMap((query) => query.eventTypes),
    queries: FAILED_AUTHENTICATION,
  },
  newDevices: allOf("New device enrollment", ["system_create", "device_enrollment"]),
  policyChanges: allOf("Policy changes", [
    "policy_create",
    "policy_update",
    "policy_delete",
    "authnpolicy_create",
    "authpolicy_update",
    "authnpolicy_delete",
    "iplist_create",
    "iplist_update",
    "iplist_delete",
    "radiusserver_create",
    "radiusserver_update",
    "radiusserver_delete",
    "organization_update",
  ]),
};

/** Failed Admin Portal logins (listed, to group them by source address). */
export const FAILED_ADMIN_LOGINS: readonly SearchClause[] = [{ event_type: ["admin_login_attempt"] }, FAILED];
