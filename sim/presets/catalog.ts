/**
 * Device-policy templates and Directory Insights events shared by the presets.
 *
 * Template names follow the real `<snake_case>_<os>` form (notes §12.1). Real: `lock_screen_darwin` and
 * `system_updates_windows` (JumpCloud's own Pester tests, SUP-T). Every other name below is INVENTED in
 * the same style, because no public source gives the FileVault, BitLocker, LUKS, firewall, Windows/Linux
 * lock screen or macOS/Linux update template names; display names come from JumpCloud's help pages
 * ("Lock Screen", "FileVault 2", "BitLocker", "Local Firewall Controls", "Software Update Settings").
 * Config fields (names, labels, types) are INVENTED except the macOS lock screen's `timeout`, which is
 * real and in seconds; its label was not found. Audits must classify by `osMetaFamily` plus keywords and
 * find values by `configFieldName`, never by exact template name or field id. See sim/README.md.
 */
import type { Doc } from "../query.js";
import { template } from "./builders.js";

/** Which template a kind of hardening maps to, per OS family. */
export type PolicyKind = "screenLock" | "diskEncryption" | "firewall" | "osUpdates";

/** A template's config field, plus the value the hardened presets give it (typed JSON, notes §12.1). */
interface FieldDef {
  name: string;
  label: string;
  displayType: "checkbox" | "number" | "select" | "multilist" | "text";
  /** The hardened (compliant) value: number, boolean, list or string, by display type. */
  value: number | boolean | string | string[];
}

interface TemplateDef {
  name: string;
  displayName: string;
  os: "darwin" | "windows" | "linux";
  kind: PolicyKind;
  fields: FieldDef[];
}

/**
 * The catalog. Order fixes the template ids (`5f0f…0001` onwards) and the config-field ids (the macOS
 * lock screen's `timeout` is `LOCK_TIMEOUT_FIELD`; the others follow it).
 */
const TEMPLATE_DEFS: TemplateDef[] = [
  {
    // Real name and field (SUP-T, JC-BLOG: seconds). The label "Timeout" is invented (not found).
    name: "lock_screen_darwin",
    displayName: "Lock Screen",
    os: "darwin",
    kind: "screenLock",
    fields: [{ name: "timeout", label: "Timeout", displayType: "number", value: 300 }],
  },
  {
    // Invented: a unit in the label, so audits meet the "minutes only when the label says so" case.
    name: "lock_screen_windows",
    displayName: "Lock Screen",
    os: "windows",
    kind: "screenLock",
    fields: [{ name: "timeout", label: "Timeout (minutes)", displayType: "number", value: 5 }],
  },
  {
    name: "lock_screen_linux",
    displayName: "Lock Screen",
    os: "linux",
    kind: "screenLock",
    fields: [{ name: "timeout", label: "Timeout", displayType: "number", value: 300 }],
  },
  {
    // Labels from JumpCloud's "FileVault 2 System Policy" help page; field names invented.
    name: "filevault_2_darwin",
    displayName: "FileVault 2",
    os: "darwin",
    kind: "diskEncryption",
    fields: [
      {
        name: "show_recovery_key",
        label: "Show the FileVault Recovery Key to the user when enabled",
        displayType: "checkbox",
        value: false,
      },
      {
        name: "bypass_count",
        label: "Number of times the user can bypass enabling FileVault",
        displayType: "number",
        value: 0,
      },
    ],
  },
  {
    name: "bitlocker_windows",
    displayName: "BitLocker",
    os: "windows",
    kind: "diskEncryption",
    fields: [
      { name: "encryption_method", label: "Encryption method", displayType: "select", value: "xts_aes_256" },
      { name: "escrow_recovery_key", label: "Escrow recovery key", displayType: "checkbox", value: true },
    ],
  },
  {
    name: "luks_full_disk_encryption_linux",
    displayName: "LUKS Full Disk Encryption",
    os: "linux",
    kind: "diskEncryption",
    fields: [
      { name: "require_encryption", label: "Require encryption", displayType: "checkbox", value: true },
    ],
  },
  {
    // Labels from third-party copies of JumpCloud's macOS firewall policy text; field names invented.
    name: "local_firewall_controls_darwin",
    displayName: "Local Firewall Controls",
    os: "darwin",
    kind: "firewall",
    fields: [
      { name: "enable_firewall", label: "Enable Firewall", displayType: "checkbox", value: true },
      {
        name: "block_all_incoming",
        label: "Block All Incoming Connections",
        displayType: "checkbox",
        value: false,
      },
      { name: "stealth_mode", label: "Stealth Mode", displayType: "checkbox", value: true },
    ],
  },
  {
    name: "local_firewall_controls_windows",
    displayName: "Local Firewall Controls",
    os: "windows",
    kind: "firewall",
    fields: [
      {
        name: "enabled_profiles",
        label: "Enabled profiles",
        displayType: "multilist",
        value: ["domain", "private", "public"],
      },
    ],
  },
  {
    name: "local_firewall_controls_linux",
    displayName: "Local Firewall Controls",
    os: "linux",
    kind: "firewall",
    fields: [
      { name: "enable_firewall", label: "Enable Firewall", displayType: "checkbox", value: true },
      {
        name: "allowed_incoming",
        label: "Allowed incoming ports",
        displayType: "multilist",
        value: ["22/tcp"],
      },
    ],
  },
  {
    name: "software_update_settings_darwin",
    displayName: "Software Update Settings",
    os: "darwin",
    kind: "osUpdates",
    fields: [
      {
        name: "install_security_updates",
        label: "Install security updates automatically",
        displayType: "checkbox",
        value: true,
      },
      { name: "deferral_days", label: "Deferral days", displayType: "number", value: 3 },
    ],
  },
  {
    // Real name (SUP-T); display name and fields invented.
    name: "system_updates_windows",
    displayName: "System Updates",
    os: "windows",
    kind: "osUpdates",
    fields: [
      {
        name: "update_behavior",
        label: "Update behavior",
        displayType: "select",
        value: "auto_download_and_install",
      },
      { name: "active_hours_start", label: "Active hours start", displayType: "number", value: 8 },
      { name: "active_hours_end", label: "Active hours end", displayType: "number", value: 18 },
    ],
  },
  {
    name: "automatic_security_updates_linux",
    displayName: "Automatic Security Updates",
    os: "linux",
    kind: "osUpdates",
    fields: [
      { name: "unattended_upgrades", label: "Unattended upgrades", displayType: "checkbox", value: true },
      { name: "origins", label: "Origins", displayType: "multilist", value: ["security"] },
      { name: "reboot_time", label: "Reboot time", displayType: "text", value: "03:00" },
    ],
  },
];

/** Config-field id of the macOS lock screen's `timeout` (seconds). The id is the simulator's own. */
export const LOCK_TIMEOUT_FIELD = "5f10000000000000000000a1";

/** Config-field ids: `LOCK_TIMEOUT_FIELD` first, then counting up in catalog order. */
function fieldId(index: number): string {
  return `5f10000000000000000000${(0xa1 + index).toString(16).padStart(2, "0")}`;
}

/** The catalog with fixed ids: template documents carry their `configFields` (`PolicyTemplateWithDetails`). */
export function templateCatalog(): { all: Doc[]; byKey: Map<string, Doc> } {
  const all: Doc[] = [];
  const byKey = new Map<string, Doc>();
  let field = 0;
  TEMPLATE_DEFS.forEach((def, index) => {
    const doc = template(
      `5f0f0000000000000000${(index + 1).toString(16).padStart(4, "0")}`,
      def.name,
      def.displayName,
      def.os,
    );
    doc.configFields = def.fields.map((f, position) => ({
      id: fieldId(field++),
      name: f.name,
      label: f.label,
      displayType: f.displayType,
      required: f.name === "timeout",
      readOnly: false,
      sensitive: false,
      position: position + 1,
    }));
    all.push(doc);
    byKey.set(`${def.os}:${def.kind}`, doc);
  });
  return { all, byKey };
}

/**
 * A policy's `values[]` for a catalog template: `{configFieldID, configFieldName, value, sensitive}` with
 * typed JSON values (notes §12.1), the hardened values unless `overrides` (by field name) says otherwise.
 */
export function policyValues(tmpl: Doc, overrides: Record<string, unknown> = {}): Doc[] {
  const def = TEMPLATE_DEFS.find((d) => d.name === tmpl.name);
  const fields = (tmpl.configFields as Doc[] | undefined) ?? [];
  return fields.map((field) => {
    const name = String(field.name);
    const hardened = def?.fields.find((f) => f.name === name)?.value;
    return {
      configFieldID: field.id,
      configFieldName: name,
      value: name in overrides ? overrides[name] : hardened,
      sensitive: false,
    };
  });
}

/** Parameters of one Directory Insights event. */
export interface EventSpec {
  type: string;
  service?: string;
  at: Date;
  success?: boolean;
  ip?: string;
  actor?: { id?: string; email?: string; username?: string; type?: string };
  resource?: Doc;
  extra?: Doc;
}

/** Where the presets' events come from (`geoip.country_code`, not the docs' `country_code2`: notes §12.4). */
const GEOIP = {
  country_code: "US",
  continent_code: "NA",
  region_code: "CA",
  region_name: "California",
  timezone: "America/Los_Angeles",
};

/** A browser, in the documented `useragent` shape (notes §9). */
export const USERAGENT = {
  name: "Chrome",
  major: "131",
  os: "Mac OS X",
  os_name: "Mac OS X",
  device: "Other",
};

/** A Directory Insights event (notes §9, §12.4); identities lowercase as stored. */
export function insightsEvent(id: string, orgId: string, spec: EventSpec): Doc {
  return {
    id,
    event_type: spec.type,
    service: spec.service ?? "directory",
    timestamp: spec.at.toISOString(),
    organization: orgId,
    provider: null,
    "@version": "1",
    client_ip: spec.ip ?? "203.0.113.10",
    ...(spec.success !== undefined ? { success: spec.success } : {}),
    ...(spec.actor
      ? {
          initiated_by: {
            ...(spec.actor.id ? { id: spec.actor.id } : {}),
            type: spec.actor.type ?? "admin",
            ...(spec.actor.email ? { email: spec.actor.email.toLowerCase() } : {}),
            ...(spec.actor.username ? { username: spec.actor.username.toLowerCase() } : {}),
          },
        }
      : {}),
    ...(spec.resource ? { resource: spec.resource } : {}),
    geoip: GEOIP,
    ...spec.extra,
  };
}

/**
 * `admin_login_attempt` as recorded (ELASTIC, SEKOIA; notes §12.4): `initiated_by {id, type: "admin",
 * email}`, `mfa`, `success`, `useragent`, `service: "directory"`, and no `resource` nor `mfa_meta`.
 */
export function adminLoginEvent(
  id: string,
  orgId: string,
  spec: { at: Date; adminId: string; email: string; success: boolean; mfa: boolean; ip?: string },
): Doc {
  return insightsEvent(id, orgId, {
    type: "admin_login_attempt",
    at: spec.at,
    success: spec.success,
    ip: spec.ip,
    actor: { id: spec.adminId, type: "admin", email: spec.email },
    extra: {
      mfa: spec.mfa,
      useragent: USERAGENT,
      ...(spec.success ? {} : { error_message: "invalid credentials" }),
    },
  });
}

/** `user_login_attempt` (User Portal): `service: "directory"` (notes §12.4). */
export function userLoginEvent(
  id: string,
  orgId: string,
  spec: { at: Date; username: string; success: boolean; ip?: string },
): Doc {
  return insightsEvent(id, orgId, {
    type: "user_login_attempt",
    at: spec.at,
    success: spec.success,
    ip: spec.ip,
    actor: { username: spec.username, type: "systemuser" },
    extra: { useragent: USERAGENT, ...(spec.success ? {} : { error_message: "invalid credentials" }) },
  });
}

/**
 * `radius_auth_attempt`, the real RADIUS event type (SEKOIA, SUP-SCRIPT, KLA; the docs' list says
 * `radius_auth`), with the RADIUS fields of notes §9. `nas_mfa_state` mirrors the server's `mfa` setting.
 */
export function radiusAuthEvent(
  id: string,
  orgId: string,
  spec: { at: Date; username: string; success: boolean; nasMfaState: string; ip?: string },
): Doc {
  return insightsEvent(id, orgId, {
    type: "radius_auth_attempt",
    service: "radius",
    at: spec.at,
    success: spec.success,
    ip: spec.ip,
    extra: {
      username: spec.username.toLowerCase(),
      nas_mfa_state: spec.nasMfaState,
      auth_type: "pap",
      ...(spec.success ? {} : { error_message: "authentication failed" }),
    },
  });
}

/**
 * `sso_auth` as recorded (SEKOIA, SUP-SCRIPT, ELASTIC): NO `success` field; the outcome is
 * `sso_token_success`, with `auth_context.auth_methods.*.success` and `auth_context.policies_applied`.
 */
export function ssoAuthEvent(
  id: string,
  orgId: string,
  spec: {
    at: Date;
    username: string;
    tokenSuccess: boolean;
    policy: { id: string; name: string };
    ip?: string;
  },
): Doc {
  return insightsEvent(id, orgId, {
    type: "sso_auth",
    service: "sso",
    at: spec.at,
    ip: spec.ip,
    actor: { username: spec.username, type: "systemuser" },
    extra: {
      sso_token_success: spec.tokenSuccess,
      useragent: USERAGENT,
      auth_context: {
        auth_methods: {
          password: { success: true },
          totp: { success: spec.tokenSuccess },
        },
        policies_applied: [
          {
            id: spec.policy.id,
            name: spec.policy.name,
            metadata: { resource_type: "application", action: "allow" },
          },
        ],
      },
    },
  });
}
