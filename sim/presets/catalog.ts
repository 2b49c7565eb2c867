/**
 * Device-policy templates and Directory Insights events shared by the presets.
 *
 * Template names: `darwin_Lock_Screen` is a real template name (SUP Pester tests, notes §7). No
 * authoritative names were found for FileVault, BitLocker, LUKS, firewall or OS-update templates:
 * every other name below is INVENTED, shaped like the real ones (OS prefix + words), with display
 * names taken from JumpCloud's help pages ("FileVault 2", "BitLocker", "Local Firewall Controls",
 * "Software Update Settings"). Audits must classify by `osMetaFamily` plus keywords, never by exact name.
 */
import type { Doc } from "../query.js";
import { template } from "./builders.js";

/** Which template a kind of hardening maps to, per OS family. */
export type PolicyKind = "screenLock" | "diskEncryption" | "firewall" | "osUpdates";

/** Template definitions: [name, displayName, osMetaFamily, kind, real?]. */
const TEMPLATE_DEFS: [string, string, string, PolicyKind, boolean][] = [
  ["darwin_Lock_Screen", "Lock Screen", "darwin", "screenLock", true],
  ["windows_Lock_Screen", "Lock Screen", "windows", "screenLock", false],
  ["linux_Lock_Screen", "Lock Screen", "linux", "screenLock", false],
  ["darwin_FileVault_2", "FileVault 2", "darwin", "diskEncryption", false],
  ["windows_BitLocker", "BitLocker", "windows", "diskEncryption", false],
  ["linux_LUKS_Disk_Encryption", "LUKS Full Disk Encryption", "linux", "diskEncryption", false],
  ["darwin_Firewall", "Local Firewall Controls", "darwin", "firewall", false],
  ["windows_Firewall", "Local Firewall Controls", "windows", "firewall", false],
  ["linux_Firewall", "Local Firewall Controls", "linux", "firewall", false],
  ["darwin_Software_Update_Settings", "Software Update Settings", "darwin", "osUpdates", false],
  ["windows_Software_Update_Settings", "Software Update Settings", "windows", "osUpdates", false],
  ["linux_Automatic_Updates", "Automatic Security Updates", "linux", "osUpdates", false],
];

/** Config-field id of the lock-screen timeout (minutes), invented for the simulator. */
export const LOCK_TIMEOUT_FIELD = "5f10000000000000000000a1";

/**
 * The lock-screen timeout as a `PolicyTemplateConfigField` (notes §7). INVENTED: the real Lock Screen
 * templates' config fields (id, name, label, unit) were not found; this one is shaped like the spec's
 * `configFields` items (`id`, `name`, `label`, `displayType`, …) so audits can find the timeout by
 * name/label keywords and unit, never by this id. One field id is shared by the three OS templates.
 */
export function lockTimeoutConfigField(): Doc {
  return {
    id: LOCK_TIMEOUT_FIELD,
    name: "timeout",
    label: "Lock after (minutes)",
    displayType: "number",
    defaultValue: "5",
    required: true,
    readOnly: false,
    sensitive: false,
    position: 1,
  };
}

/** Builds the template catalog with fixed ids, keyed by `${os}:${kind}`. */
export function templateCatalog(): { all: Doc[]; byKey: Map<string, Doc> } {
  const all: Doc[] = [];
  const byKey = new Map<string, Doc>();
  TEMPLATE_DEFS.forEach(([name, display, os, kind], index) => {
    const doc = template(
      `5f0f0000000000000000${(index + 1).toString(16).padStart(4, "0")}`,
      name,
      display,
      os,
    );
    all.push(doc);
    byKey.set(`${os}:${kind}`, doc);
  });
  return { all, byKey };
}

/** Parameters of one Directory Insights event. */
export interface EventSpec {
  type: string;
  service?: string;
  at: Date;
  success?: boolean;
  ip?: string;
  actor?: { email?: string; username?: string; type?: string };
  resource?: Doc;
  extra?: Doc;
}

/** A Directory Insights event in the documented shape (notes §9); values lowercase as stored. */
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
            type: spec.actor.type ?? "admin",
            ...(spec.actor.email ? { email: spec.actor.email.toLowerCase() } : {}),
            ...(spec.actor.username ? { username: spec.actor.username.toLowerCase() } : {}),
          },
        }
      : {}),
    ...(spec.resource ? { resource: spec.resource } : {}),
    geoip: { country_code2: "US", continent_code: "NA", region_code: "CA", timezone: "America/Los_Angeles" },
    ...spec.extra,
  };
}
