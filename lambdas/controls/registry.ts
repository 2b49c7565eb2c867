/** Every control of the hardening guide, in guide order. One explicit list: add a control here. */
import { adminPortalMfa } from "./admin-portal-mfa.js";
import { conditionalAccess } from "./conditional-access.js";
import { deviceTrust } from "./device-trust.js";
import { directoryInsights } from "./directory-insights.js";
import { keyEvents } from "./key-events.js";
import { ldapRadius } from "./ldap-radius.js";
import { leastPrivilegeAdmins } from "./least-privilege-admins.js";
import { orgWideMfa } from "./org-wide-mfa.js";
import { systemMfa } from "./system-mfa.js";
import { systemPolicies } from "./system-policies.js";
import type { AnyControl } from "./types.js";

/** The control catalog. */
export const CONTROLS: readonly AnyControl[] = [
  adminPortalMfa,
  leastPrivilegeAdmins,
  orgWideMfa,
  systemMfa,
  conditionalAccess,
  deviceTrust,
  systemPolicies,
  ldapRadius,
  directoryInsights,
  keyEvents,
];

/** Finds a control by guide id. */
export function controlById(id: string): AnyControl | undefined {
  return CONTROLS.find((control) => control.id === id);
}
