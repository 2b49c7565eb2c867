/** 4.2 Configure LDAP & RADIUS Security: RADIUS MFA and shared secrets, LDAP binding accounts and TLS. */
import type { RadiusServerFacts } from "../collect/snapshot.js";
import type { SystemUser } from "../jumpcloud/types.js";
import { defineControl, type ResourceResult, result } from "./types.js";

/** RADIUS `mfa` values by strength (notes §8: Disabled = none, Enabled = if configured, Required = unless excluded, Always). */
const MFA_LEVEL = { DISABLED: 0, ENABLED: 1, REQUIRED: 2, ALWAYS: 3 } as const;
const MFA_UNIT = "RADIUS MFA level (0 DISABLED, 1 ENABLED, 2 REQUIRED, 3 ALWAYS)";

function radiusResource(server: RadiusServerFacts): { type: string; id: string; name: string } {
  return { type: "radius-server", id: server._id, name: server.name ?? server._id };
}

function userResource(user: SystemUser): { type: string; id: string; name: string } {
  return { type: "user", id: user._id, name: user.username ?? user.email ?? user._id };
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
    "Not applicable when there is no RADIUS server, Cloud LDAP is disabled and no user binds to it",
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
      const actions = radiusServers
        .filter((server) => server.mfa !== "REQUIRED" && server.mfa !== "ALWAYS")
        .map((server) => ({
          kind: "radius-mfa" as const,
          id: `4.2:radius:${server._id}`,
          controlId: "4.2",
          resource: { type: "radius_server", id: server._id, name: server.name ?? server._id },
          field: "mfa",
          serverId: server._id,
          before: server.mfa ?? null,
          after: "REQUIRED" as const,
          description: `Require MFA on RADIUS server ${server.name ?? server._id} (the shared secret is passed through unchanged)`,
        }));
      return {
        actions,
        warnings: [
          "Lock-out risk: with MFA REQUIRED, users who have not configured MFA can no longer authenticate to Wi-Fi or VPN through this RADIUS server. Shared secrets and LDAP settings are not changed: fix them by hand.",
        ],
      };
    },
  },
  audit({ organization, radiusServers, users }, thresholds) {
    const results: ResourceResult[] = [];
    const minLength = thresholds.minSharedSecretLength;
    const org = {
      type: "organization",
      id: organization._id,
      name: organization.displayName ?? organization._id,
    };
    const ldapEnabled = organization.settings?.disableLdap !== true;
    const binding = users.filter((user) => user.ldap_binding_user === true);
    const activeBinding = binding.filter((user) => user.suspended !== true && user.state !== "SUSPENDED");

    if (radiusServers.length === 0 && !ldapEnabled && binding.length === 0) {
      return {
        results,
        status: "NOT_APPLICABLE",
        summary:
          "No RADIUS server is configured, Cloud LDAP is disabled and no user binds to it, so there is nothing to secure.",
        evidence: { radiusServers: 0, ldapDisabled: true, ldapBindingUsers: 0 },
      };
    }

    for (const server of radiusServers) {
      const resource = radiusResource(server);
      const mfa = server.mfa;
      const level = mfa === undefined ? undefined : MFA_LEVEL[mfa];
      const measure =
        level === undefined ? {} : { measure: { value: level, unit: MFA_UNIT, worseWhen: "lower" as const } };
      if (level === undefined) {
        results.push(
          result(
            "MANUAL",
            resource,
            "radius-mfa",
            `The API did not report this server's MFA setting${mfa ? ` (got ${JSON.stringify(mfa)})` : ""}; check Settings → Cloud RADIUS`,
            { observed: mfa ?? null, expected: ["REQUIRED", "ALWAYS"] },
          ),
        );
      } else {
        const message =
          mfa === "REQUIRED" || mfa === "ALWAYS"
            ? `MFA ${mfa}`
            : mfa === "ENABLED"
              ? "MFA only ENABLED: users who have not configured MFA authenticate with a password alone; expected REQUIRED or ALWAYS"
              : "MFA DISABLED: RADIUS accepts a password alone; expected REQUIRED or ALWAYS";
        results.push(
          result(level >= MFA_LEVEL.REQUIRED ? "PASS" : "FAIL", resource, "radius-mfa", message, {
            observed: mfa,
            expected: ["REQUIRED", "ALWAYS"],
            ...measure,
          }),
        );
      }

      const { length, characterClasses } = server.sharedSecret;
      const observed = { length, characterClasses };
      const secretMeasure = { value: length, unit: "characters", worseWhen: "lower" as const };
      results.push(
        length === 0
          ? result(
              "MANUAL",
              resource,
              "radius-shared-secret",
              "The API returned no shared secret for this server; check its secret in Settings → Cloud RADIUS",
              { observed, expected: { minLength } },
            )
          : result(
              length >= minLength ? "PASS" : "FAIL",
              resource,
              "radius-shared-secret",
              length >= minLength
                ? `Shared secret is ${length} characters (${characterClasses} character classes)`
                : `Shared secret is only ${length} characters; expected at least ${minLength} (RFC 2865 §3)`,
              { observed, expected: { minLength }, measure: secretMeasure },
            ),
      );
    }

    for (const user of activeBinding) {
      results.push(
        result(
          "MANUAL",
          userResource(user),
          "ldap-binding-user",
          "Can bind to Cloud LDAP: confirm it is a dedicated service account for one application's LDAP binds (not a person's account) with a strong, rotated password",
          { observed: { ldap_binding_user: true }, expected: "a dedicated service account" },
        ),
      );
    }

    if (ldapEnabled || binding.length > 0) {
      results.push(
        result(
          "MANUAL",
          org,
          "ldap-tls",
          `Cloud LDAP is ${ldapEnabled ? "enabled" : "disabled but users still carry the binding flag"} and the API exposes no TLS setting: in Settings → Cloud LDAP, review the bound applications and verify each connects over LDAPS (port 636) or StartTLS, never clear-text LDAP (port 389 without StartTLS)`,
          {
            observed: {
              disableLdap: organization.settings?.disableLdap ?? null,
              bindingUsers: binding.length,
            },
            expected: "TLS on every LDAP connection",
          },
        ),
      );
    }

    const weakMfa = results
      .filter((r) => r.check === "radius-mfa" && r.status !== "PASS")
      .map((r) => `${r.resourceName} (${String(r.observed ?? "unreported")})`);
    const shortSecrets = results
      .filter((r) => r.check === "radius-shared-secret" && r.status !== "PASS")
      .map((r) => `${r.resourceName} (${(r.observed as { length: number }).length} characters)`);
    const radius =
      radiusServers.length === 0
        ? "no RADIUS server"
        : `${radiusServers.length - weakMfa.length} of ${radiusServers.length} RADIUS servers require MFA${weakMfa.length ? ` (not: ${weakMfa.join(", ")})` : ""} and ${radiusServers.length - shortSecrets.length} have a shared secret of at least ${minLength} characters${shortSecrets.length ? ` (not: ${shortSecrets.join(", ")})` : ""}`;
    const ldap = `Cloud LDAP ${ldapEnabled ? "enabled (TLS to verify by hand)" : "disabled"} with ${activeBinding.length} active binding user${activeBinding.length === 1 ? "" : "s"} to review`;
    const active = new Set(activeBinding);
    return {
      results,
      summary:
        `${radius}; ${ldap} (expected MFA REQUIRED or ALWAYS and secrets of ${minLength}+ characters on every RADIUS server).`.replace(
          /^./,
          (c) => c.toUpperCase(),
        ),
      evidence: {
        radiusServers: radiusServers.map((server) => ({
          name: server.name ?? server._id,
          mfa: server.mfa ?? null,
          authIdp: server.authIdp ?? null,
          sharedSecretLength: server.sharedSecret.length,
          sharedSecretCharacterClasses: server.sharedSecret.characterClasses,
        })),
        ldapDisabled: organization.settings?.disableLdap === true,
        ldapBindingUsers: binding.map((user) => ({
          name: userResource(user).name,
          suspended: !active.has(user),
        })),
      },
    };
  },
});
