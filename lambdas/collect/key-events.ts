/**
 * The guide's "Key Events to Monitor" (5.2) as Directory Insights event types. Names are the
 * documented ones (PS-DI "Event Types", notes §9), e.g. `authpolicy_update` is spelled that way.
 */
import type { KeyEventClass } from "./snapshot.js";

/** One event class: its event types, and whether only failures count. */
export interface KeyEventClassDefinition {
  readonly label: string;
  readonly eventTypes: readonly string[];
  readonly failuresOnly: boolean;
}

/** The six classes of the guide's table. */
export const KEY_EVENT_CLASSES: Record<KeyEventClass, KeyEventClassDefinition> = {
  adminLogins: { label: "Admin logins", eventTypes: ["admin_login_attempt"], failuresOnly: false },
  adminChanges: {
    label: "Admin changes",
    eventTypes: [
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
    ],
    failuresOnly: false,
  },
  mfaDisable: {
    label: "MFA disabled or bypassed",
    eventTypes: ["admin_totp_disable", "totp_delete_enrollment"],
    failuresOnly: false,
  },
  failedAuthentication: {
    label: "Failed authentication",
    eventTypes: ["user_login_attempt", "login_attempt", "sso_auth", "radius_auth", "ldap_bind"],
    failuresOnly: true,
  },
  newDevices: {
    label: "New device enrollment",
    eventTypes: ["system_create", "device_enrollment"],
    failuresOnly: false,
  },
  policyChanges: {
    label: "Policy changes",
    eventTypes: [
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
    ],
    failuresOnly: false,
  },
};
