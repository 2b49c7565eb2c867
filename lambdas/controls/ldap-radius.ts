/** 4.2 Configure LDAP & RADIUS Security: RADIUS MFA and shared secrets, LDAP binding accounts and TLS. */
import type { PlannedRemediation } from "../remediation/actions.js";
import { defineControl, isolateCheck, type ResourceResult, result } from "./types.js";
import {
  type Doubt,
  doubtOf,
  fieldsOf,
  preview,
  readBoolean,
  readList,
  readNumber,
  readObject,
  readString,
  textOf,
} from "./values.js";

/*
 * Every API value is read through values.ts. A value a verdict depends on that was not reported gives
 * MANUAL (a human can look in Settings → Cloud RADIUS / Cloud LDAP); one of another type gives ERROR. The
 * shared secret itself never reaches this file (the collector keeps only its length and character
 * classes), and no message ever renders the `sharedSecret` field, whatever it holds.
 */

/** RADIUS `mfa` values by strength (notes §8: Disabled = none, Enabled = if configured, Required = unless excluded, Always). */
const MFA_LEVEL = { DISABLED: 0, ENABLED: 1, REQUIRED: 2, ALWAYS: 3 } as const;
type MfaSetting = keyof typeof MFA_LEVEL;
const MFA_UNIT = "RADIUS MFA level (0 DISABLED, 1 ENABLED, 2 REQUIRED, 3 ALWAYS)";

/** A RADIUS server's `mfa` (enum DISABLED|ENABLED|REQUIRED|ALWAYS, notes §8), or why it cannot be used. */
function readMfa(raw: unknown): MfaSetting | Doubt {
  const mfa = readString(raw);
  if (mfa.state === "value" && Object.hasOwn(MFA_LEVEL, mfa.value)) return mfa.value as MfaSetting;
  if (mfa.state === "value")
    return {
      status: "ERROR",
      reason: `mfa is ${preview(mfa.value)} (expected DISABLED, ENABLED, REQUIRED or ALWAYS)`,
    };
  return doubtOf("mfa", mfa);
}

/** The collector's facts about a shared secret; never the secret, and never rendered from the raw field. */
function readSecretFacts(raw: unknown): { length: number; characterClasses: number } | Doubt {
  const facts = readObject(raw);
  const length = facts.state === "value" ? readNumber(facts.value.length) : facts;
  const classes = facts.state === "value" ? readNumber(facts.value.characterClasses) : facts;
  if (
    length.state === "value" &&
    classes.state === "value" &&
    Number.isInteger(length.value) &&
    length.value >= 0 &&
    Number.isInteger(classes.value)
  )
    return { length: length.value, characterClasses: classes.value };
  // The field's content is never shown: on an unexpected shape it could be the secret itself.
  return facts.state === "absent"
    ? { status: "MANUAL", reason: "the shared secret's facts are not reported" }
    : { status: "ERROR", reason: "the shared secret's facts (length, character classes) are not numbers" };
}

/** Why a RADIUS server record cannot be read at all (its content is never shown: it may hold the secret). */
function recordDoubt(raw: unknown): Doubt | undefined {
  const record = readObject(raw);
  if (record.state === "value") return undefined;
  return record.state === "absent"
    ? { status: "MANUAL", reason: "the RADIUS server record is empty" }
    : { status: "ERROR", reason: "the RADIUS server record is not an object" };
}

/** A RADIUS server as read, named for results. */
function radiusResource(raw: unknown, index: number): { type: string; id: string; name: string } {
  const server = fieldsOf(raw) ?? {};
  const id = textOf(server._id, `(RADIUS server ${index + 1})`);
  return { type: "radius-server", id, name: textOf(server.name, id) };
}

function userResource(raw: unknown, index: number): { type: string; id: string; name: string } {
  const user = fieldsOf(raw) ?? {};
  const id = textOf(user._id, `(user ${index + 1})`);
  return { type: "user", id, name: textOf(user.username, textOf(user.email, id)) };
}

/** The records of a dataset (an array from the collector; anything else reads as none). */
function recordsOf(raw: unknown): readonly unknown[] {
  const list = readList(raw);
  return list.state === "value" ? list.value : [];
}

/** Whether Cloud LDAP is on, from `settings.disableLdap`, or why that is not known. */
function readLdapState(organization: unknown): "enabled" | "disabled" | Doubt {
  const settings = readObject(fieldsOf(organization)?.settings);
  if (settings.state !== "value") return doubtOf("settings", settings);
  const disable = readBoolean(settings.value.disableLdap);
  if (disable.state !== "value") return doubtOf("settings.disableLdap", disable);
  return disable.value ? "disabled" : "enabled";
}

/** 4.2 */
export const ldapRadius = defineControl({
  id: "4.2",
  title: "Configure LDAP & RADIUS Security",
  section: "Device & System Management",
  level: "L2",
  severity: "medium",
  mappings: { cis: ["3.10"], nist: ["SC-8"], soc2: [] },
  plans: { availability: "All plans (not listed in Appendix A)" },
  rationale:
    "Cloud LDAP and RADIUS authenticate networks and applications; weak MFA settings or shared secrets there bypass the directory's other protections.",
  manualSteps: [
    "Settings → Cloud LDAP: review bound applications, use dedicated service accounts for LDAP binds, enable TLS for LDAP connections",
    "Settings → Cloud RADIUS: require MFA for RADIUS authentication, configure shared secrets securely",
  ],
  checks: [
    "Every RADIUS server requires MFA (`mfa` REQUIRED or ALWAYS); ENABLED asks only users who configured MFA and DISABLED asks no one, so both fail",
    "Every RADIUS server's shared secret is at least 16 characters long (only its length is read; the collector never keeps the secret)",
    "Users with `ldap_binding_user` are listed for review: LDAP binds should use dedicated service accounts",
    "When Cloud LDAP is in use (`settings.disableLdap` is not true, or binding users exist), TLS is flagged for manual verification: the API exposes no LDAP TLS setting",
    "Not applicable when there is no RADIUS server, Cloud LDAP is disabled and no user binds to it (every user reports `ldap_binding_user` false)",
  ],
  thresholds: {
    minSharedSecretLength: {
      default: 16,
      description: "Shortest acceptable RADIUS shared secret, in characters",
      source:
        'RFC 2865 §3: the secret "SHOULD be at least as large and unguessable as a well-chosen password. It is preferred that the secret be at least 16 octets."',
      min: 1,
      max: 128,
    },
  },
  needs: ["organization", "radiusServers", "users"],
  remediation: {
    automated: "opt-in",
    description:
      "Opt-in: sets `mfa: REQUIRED` on RADIUS servers whose MFA is DISABLED or ENABLED (PUT /api/radiusservers/{id}, which requires name, networkSourceIp and sharedSecret, so the current values are read and sent back unchanged and the secret is never logged); users without MFA enrolled then cannot join Wi-Fi or VPN. Short shared secrets are rotated by hand on both JumpCloud and the network devices (Settings → Cloud RADIUS); LDAP binding accounts and TLS are reviewed by hand in Settings → Cloud LDAP.",
    plan({ radiusServers }) {
      const actions: PlannedRemediation["actions"] = [];
      const skipped: string[] = [];
      for (const [index, raw] of recordsOf(radiusServers).entries()) {
        const resource = radiusResource(raw, index);
        const id = readString(fieldsOf(raw)?._id);
        const mfa = readMfa(fieldsOf(raw)?.mfa);
        // Never plan from a value that was not read: no id to write to, or an `mfa` that is not the enum.
        if (id.state !== "value" || id.value === "")
          skipped.push(`${resource.name} (${doubtOf("_id", id).reason})`);
        else if (typeof mfa !== "string") skipped.push(`${resource.name} (${mfa.reason})`);
        else if (MFA_LEVEL[mfa] < MFA_LEVEL.REQUIRED)
          actions.push({
            kind: "radius-mfa" as const,
            id: `4.2:radius:${id.value}`,
            controlId: "4.2",
            resource: { type: "radius_server", id: id.value, name: resource.name },
            field: "mfa",
            serverId: id.value,
            before: mfa,
            after: "REQUIRED" as const,
            description: `Require MFA on RADIUS server ${resource.name} (the shared secret is passed through unchanged)`,
          });
      }
      return {
        actions,
        warnings: [
          "Lock-out risk: with MFA REQUIRED, users who have not configured MFA can no longer authenticate to Wi-Fi or VPN through this RADIUS server. Shared secrets and LDAP settings are not changed: fix them by hand.",
          ...(skipped.length > 0
            ? [
                `Not planned, because a value the change depends on was not read: ${skipped.join("; ")}; check ${skipped.length === 1 ? "it" : "them"} in Settings → Cloud RADIUS.`,
              ]
            : []),
        ],
      };
    },
  },
  audit({ organization, radiusServers, users }, thresholds) {
    const minLength = thresholds.minSharedSecretLength;
    const orgFields = fieldsOf(organization) ?? {};
    const orgId = textOf(orgFields._id, "(organization)");
    const org = { type: "organization", id: orgId, name: textOf(orgFields.displayName, orgId) };
    const servers = recordsOf(radiusServers);
    const ldap = readLdapState(organization);

    // Users by what their `ldap_binding_user` says: an absent flag is "not reported", never false.
    const binding: { index: number; raw: unknown; active: boolean }[] = [];
    const oddFlags: { index: number; raw: unknown; doubt: Doubt }[] = [];
    let unreported = 0;
    for (const [index, raw] of recordsOf(users).entries()) {
      const user = fieldsOf(raw) ?? {};
      const flag = readBoolean(user.ldap_binding_user);
      if (flag.state === "absent") unreported += 1;
      else if (flag.state === "invalid")
        oddFlags.push({ index, raw, doubt: doubtOf("ldap_binding_user", flag) });
      else if (flag.value) {
        // Suspended by either shape (`suspended` or `state`); otherwise listed for review.
        const suspended = readBoolean(user.suspended);
        const state = readString(user.state);
        const isSuspended =
          (suspended.state === "value" && suspended.value) ||
          (state.state === "value" && state.value === "SUSPENDED");
        binding.push({ index, raw, active: !isSuspended });
      }
    }
    const activeBinding = binding.filter((user) => user.active);

    if (
      servers.length === 0 &&
      ldap === "disabled" &&
      binding.length === 0 &&
      oddFlags.length === 0 &&
      unreported === 0
    ) {
      return {
        results: [],
        status: "NOT_APPLICABLE",
        summary:
          "No RADIUS server is configured, Cloud LDAP is disabled and no user binds to it, so there is nothing to secure.",
        evidence: { radiusServers: 0, ldapDisabled: true, ldapBindingUsers: 0 },
      };
    }

    const radiusMfa = (): ResourceResult[] =>
      servers.map((raw, index) => {
        const resource = radiusResource(raw, index);
        const mfa = recordDoubt(raw) ?? readMfa(fieldsOf(raw)?.mfa);
        if (typeof mfa !== "string") {
          const observed = recordDoubt(raw) ? null : (fieldsOf(raw)?.mfa ?? null);
          return result(
            mfa.status,
            resource,
            "radius-mfa",
            mfa.status === "MANUAL" && !recordDoubt(raw)
              ? "The API did not report this server's MFA setting; check Settings → Cloud RADIUS"
              : `This server's MFA setting could not be read: ${mfa.reason}; check Settings → Cloud RADIUS`,
            {
              observed: typeof observed === "string" ? observed : preview(observed),
              expected: ["REQUIRED", "ALWAYS"],
            },
          );
        }
        const level = MFA_LEVEL[mfa];
        const message =
          level >= MFA_LEVEL.REQUIRED
            ? `MFA ${mfa}`
            : mfa === "ENABLED"
              ? "MFA only ENABLED: users who have not configured MFA authenticate with a password alone; expected REQUIRED or ALWAYS"
              : "MFA DISABLED: RADIUS accepts a password alone; expected REQUIRED or ALWAYS";
        return result(level >= MFA_LEVEL.REQUIRED ? "PASS" : "FAIL", resource, "radius-mfa", message, {
          observed: mfa,
          expected: ["REQUIRED", "ALWAYS"],
          measure: { value: level, unit: MFA_UNIT, worseWhen: "lower" },
        });
      });

    const radiusSecret = (): ResourceResult[] =>
      servers.map((raw, index) => {
        const resource = radiusResource(raw, index);
        const facts = recordDoubt(raw) ?? readSecretFacts(fieldsOf(raw)?.sharedSecret);
        if ("reason" in facts)
          return result(
            facts.status,
            resource,
            "radius-shared-secret",
            `The shared secret could not be judged: ${facts.reason}; check its secret in Settings → Cloud RADIUS`,
            { observed: null, expected: { minLength } },
          );
        const { length, characterClasses } = facts;
        const observed = { length, characterClasses };
        if (length === 0)
          return result(
            "MANUAL",
            resource,
            "radius-shared-secret",
            "The API returned no shared secret for this server; check its secret in Settings → Cloud RADIUS",
            { observed, expected: { minLength } },
          );
        return result(
          length >= minLength ? "PASS" : "FAIL",
          resource,
          "radius-shared-secret",
          length >= minLength
            ? `Shared secret is ${length} characters (${characterClasses} character classes)`
            : `Shared secret is only ${length} characters; expected at least ${minLength} (RFC 2865 §3)`,
          {
            observed,
            expected: { minLength },
            measure: { value: length, unit: "characters", worseWhen: "lower" },
          },
        );
      });

    const bindingUsers = (): ResourceResult[] => [
      ...activeBinding.map((user) =>
        result(
          "MANUAL",
          userResource(user.raw, user.index),
          "ldap-binding-user",
          "Can bind to Cloud LDAP: confirm it is a dedicated service account for one application's LDAP binds (not a person's account) with a strong, rotated password",
          { observed: { ldap_binding_user: true }, expected: "a dedicated service account" },
        ),
      ),
      ...oddFlags.map((user) =>
        result(
          user.doubt.status,
          userResource(user.raw, user.index),
          "ldap-binding-user",
          `Whether this user can bind to Cloud LDAP is not known: ${user.doubt.reason}`,
          { observed: null, expected: "a boolean ldap_binding_user" },
        ),
      ),
      ...(unreported > 0
        ? [
            result(
              "MANUAL",
              org,
              "ldap-binding-user",
              `${unreported} user${unreported === 1 ? " does" : "s do"} not report ldap_binding_user, so whether they can bind to Cloud LDAP is not known; review the binding users in Settings → Cloud LDAP`,
              { observed: { unreported }, expected: "ldap_binding_user reported for every user" },
            ),
          ]
        : []),
    ];

    const ldapTls = (): ResourceResult[] => {
      if (ldap === "disabled" && binding.length === 0) return [];
      const review =
        "the API exposes no TLS setting: in Settings → Cloud LDAP, review the bound applications and verify each connects over LDAPS (port 636) or StartTLS, never clear-text LDAP (port 389 without StartTLS)";
      const observed = {
        disableLdap: ldap === "enabled" ? false : ldap === "disabled" ? true : null,
        bindingUsers: binding.length,
      };
      if (typeof ldap !== "string")
        return [
          result(
            ldap.status,
            org,
            "ldap-tls",
            `Whether Cloud LDAP is enabled is not known (${ldap.reason}), and ${review}`,
            {
              observed,
              expected: "TLS on every LDAP connection",
            },
          ),
        ];
      return [
        result(
          "MANUAL",
          org,
          "ldap-tls",
          `Cloud LDAP is ${ldap === "enabled" ? "enabled" : "disabled but users still carry the binding flag"} and ${review}`,
          { observed, expected: "TLS on every LDAP connection" },
        ),
      ];
    };

    const results = [
      ...isolateCheck("radius-mfa", radiusMfa),
      ...isolateCheck("radius-shared-secret", radiusSecret),
      ...isolateCheck("ldap-binding-user", bindingUsers),
      ...isolateCheck("ldap-tls", ldapTls),
    ];

    // The summary is built from the results, so it stands whatever check failed.
    const weakMfa = results
      .filter((r) => r.check === "radius-mfa" && r.status !== "PASS")
      .map((r) => `${r.resourceName} (${typeof r.observed === "string" ? r.observed : "unreported"})`);
    const shortSecrets = results
      .filter((r) => r.check === "radius-shared-secret" && r.status !== "PASS")
      .map((r) => {
        const length = (r.observed as { length?: unknown } | null)?.length;
        return `${r.resourceName} (${typeof length === "number" ? `${length} characters` : "not read"})`;
      });
    const total = servers.length;
    const radius =
      total === 0
        ? "no RADIUS server"
        : `${Math.max(0, total - weakMfa.length)} of ${total} RADIUS servers require MFA${weakMfa.length ? ` (not: ${weakMfa.join(", ")})` : ""} and ${Math.max(0, total - shortSecrets.length)} have a shared secret of at least ${minLength} characters${shortSecrets.length ? ` (not: ${shortSecrets.join(", ")})` : ""}`;
    const ldapText =
      ldap === "enabled"
        ? "enabled (TLS to verify by hand)"
        : ldap === "disabled"
          ? "disabled"
          : `in an unknown state (${ldap.reason})`;
    const unknownUsers = unreported + oddFlags.length;
    const ldapPhrase = `Cloud LDAP ${ldapText} with ${activeBinding.length} active binding user${activeBinding.length === 1 ? "" : "s"} to review${unknownUsers > 0 ? ` and ${unknownUsers} user${unknownUsers === 1 ? "" : "s"} whose binding flag was not read` : ""}`;
    return {
      results,
      summary:
        `${radius}; ${ldapPhrase} (expected MFA REQUIRED or ALWAYS and secrets of ${minLength}+ characters on every RADIUS server).`.replace(
          /^./,
          (c) => c.toUpperCase(),
        ),
      evidence: {
        radiusServers: servers.map((raw, index) => {
          const server = fieldsOf(raw) ?? {};
          const mfa = readMfa(server.mfa);
          const facts = readSecretFacts(server.sharedSecret);
          return {
            name: radiusResource(raw, index).name,
            mfa: typeof mfa === "string" ? mfa : null,
            authIdp: textOf(server.authIdp, "") || null,
            sharedSecretLength: "reason" in facts ? null : facts.length,
            sharedSecretCharacterClasses: "reason" in facts ? null : facts.characterClasses,
          };
        }),
        ldapDisabled: ldap === "disabled",
        ldapBindingUsers: binding.map((user) => ({
          name: userResource(user.raw, user.index).name,
          suspended: !user.active,
        })),
        ...(unknownUsers > 0 ? { ldapBindingNotReported: unknownUsers } : {}),
      },
    };
  },
});
