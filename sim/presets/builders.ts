/**
 * Builders of realistic JumpCloud documents, using only fields the official specs define
 * (the contract tests check every simulator response against them in closed mode).
 */
import type { Doc } from "../query.js";

/** Deterministic 24-hex-digit ids: 8 digits per collection, then a counter, so ids sort by creation. */
export function idFactory(collection: number): () => string {
  let counter = 0;
  const prefix = (0x5f000000 + collection).toString(16);
  return () => prefix + (++counter).toString(16).padStart(16, "0");
}

/** Small deterministic PRNG (mulberry32) for generated presets. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (date: Date) => date.toISOString();
const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

/** Organization with settings; `requireAdminMFA` is read-only in the real API. */
export function organization(
  id: string,
  name: string,
  now: Date,
  opts: { requireAdminMFA?: boolean; directoryInsights?: boolean } = {},
): Doc {
  return {
    _id: id,
    displayName: name,
    created: iso(daysBefore(now, 900)),
    settings: {
      name,
      contactName: "IT Security",
      contactEmail: `security@${slug(name)}.example`,
      requireAdminMFA: opts.requireAdminMFA ?? true,
      features: {
        directoryInsights: { enabled: opts.directoryInsights ?? true },
        systemInsights: { enabled: true },
      },
      passwordCompliance: "custom",
      passwordPolicy: {
        minLength: 14,
        needsLowercase: true,
        needsUppercase: true,
        needsNumeric: true,
        needsSymbolic: true,
      },
      userPortal: { cookieExpirationType: "session", idleSessionDurationMinutes: 60 },
      // Nothing in the hardened organization uses LDAP, so it is off (the demo turns it on).
      disableLdap: true,
      systemUsersCanEdit: false,
    },
  };
}

/** An admin account as `GET /api/users` returns it. */
export function admin(
  id: string,
  orgId: string,
  now: Date,
  opts: {
    email: string;
    roleName: string;
    mfa?: boolean;
    totp?: boolean;
    suspended?: boolean;
    apiKey?: boolean;
  },
): Doc {
  const [first = "admin", last = "user"] = opts.email.split("@")[0]?.split(".") ?? [];
  return {
    _id: id,
    email: opts.email,
    firstname: capitalize(first),
    lastname: capitalize(last),
    organization: orgId,
    created: iso(daysBefore(now, 400)),
    roleName: opts.roleName,
    enableMultiFactor: opts.mfa ?? true,
    totpEnrolled: opts.totp ?? opts.mfa ?? true,
    suspended: opts.suspended ?? false,
    apiKeyAllowed: opts.apiKey ?? false,
    apiKeySet: opts.apiKey ?? false,
    ...(opts.apiKey ? { apiKeyUpdatedAt: iso(daysBefore(now, 200)) } : {}),
  };
}

/** MFA situation of a directory user. */
export type UserMfa = "enrolled" | "totp-only" | "none" | "pending";

/** A directory user as `GET /api/systemusers` returns it. */
export function systemUser(
  id: string,
  orgId: string,
  now: Date,
  opts: {
    username: string;
    department?: string;
    mfa?: UserMfa;
    state?: "ACTIVATED" | "SUSPENDED" | "STAGED";
    exclusionDays?: number;
    ldapBinding?: boolean;
    sudo?: boolean;
  },
): Doc {
  const mfa = opts.mfa ?? "enrolled";
  const state = opts.state ?? "ACTIVATED";
  const [first = opts.username, last = ""] = opts.username.split(".");
  const overall =
    mfa === "enrolled" || mfa === "totp-only"
      ? "ENROLLED"
      : mfa === "pending"
        ? "PENDING_ACTIVATION"
        : "NOT_ENROLLED";
  return {
    _id: id,
    username: opts.username,
    email: `${opts.username}@example.com`,
    firstname: capitalize(first),
    lastname: capitalize(last),
    displayname: `${capitalize(first)} ${capitalize(last)}`.trim(),
    organization: orgId,
    created: iso(daysBefore(now, 300)),
    department: opts.department ?? "Engineering",
    state,
    activated: state === "ACTIVATED",
    suspended: state === "SUSPENDED",
    account_locked: false,
    totp_enabled: mfa === "enrolled" || mfa === "totp-only",
    enable_user_portal_multifactor: mfa !== "none",
    mfa: {
      configured: mfa === "enrolled" || mfa === "totp-only",
      exclusion: opts.exclusionDays !== undefined,
      ...(opts.exclusionDays !== undefined
        ? {
            exclusionDays: opts.exclusionDays,
            exclusionUntil: iso(new Date(now.getTime() + opts.exclusionDays * 86_400_000)),
          }
        : {}),
    },
    mfaEnrollment: {
      overallStatus: overall,
      totpStatus: mfa === "none" ? "NOT_ENROLLED" : mfa === "pending" ? "PENDING_ACTIVATION" : "ENROLLED",
      webAuthnStatus: mfa === "enrolled" ? "ENROLLED" : "NOT_ENROLLED",
      pushStatus: "NOT_ENROLLED",
    },
    ldap_binding_user: opts.ldapBinding ?? false,
    sudo: opts.sudo ?? false,
    passwordless_sudo: false,
  };
}

const OS = {
  darwin: { os: "Mac OS X", osFamily: "darwin", version: "15.1", arch: "arm64" },
  windows: { os: "Windows", osFamily: "windows", version: "11 Pro", arch: "x86_64" },
  linux: { os: "Ubuntu", osFamily: "linux", version: "24.04", arch: "x86_64" },
} as const;

/** An OS family the presets generate. */
export type OsFamily = keyof typeof OS;

/** A device as `GET /api/systems` returns it. */
export function system(
  id: string,
  orgId: string,
  now: Date,
  opts: {
    hostname: string;
    os: OsFamily;
    mfa?: boolean;
    sshPassword?: boolean;
    sshRoot?: boolean;
    fde?: boolean;
    active?: boolean;
  },
): Doc {
  const os = OS[opts.os];
  return {
    _id: id,
    displayName: opts.hostname,
    hostname: opts.hostname,
    ...os,
    agentVersion: "2.5.0",
    active: opts.active ?? true,
    lastContact: iso(daysBefore(now, opts.active === false ? 12 : 0.02)),
    created: iso(daysBefore(now, 250)),
    organization: orgId,
    serialNumber: `SN${id.slice(-8).toUpperCase()}`,
    allowMultiFactorAuthentication: opts.mfa ?? true,
    allowPublicKeyAuthentication: true,
    allowSshPasswordAuthentication: opts.os === "linux" ? (opts.sshPassword ?? false) : false,
    allowSshRootLogin: opts.os === "linux" ? (opts.sshRoot ?? false) : false,
    fde: { active: opts.fde ?? true, keyPresent: opts.fde ?? true },
  };
}

/** A RADIUS server; `sharedSecret` is returned by GET in the real API too. */
export function radiusServer(
  id: string,
  orgId: string,
  opts: {
    name: string;
    mfa: "DISABLED" | "ENABLED" | "REQUIRED" | "ALWAYS";
    sharedSecret: string;
    sourceIp: string;
  },
): Doc {
  return {
    _id: id,
    name: opts.name,
    networkSourceIp: opts.sourceIp,
    sharedSecret: opts.sharedSecret,
    organization: orgId,
    mfa: opts.mfa,
    authIdp: "JUMPCLOUD",
    userLockoutAction: "REMOVE",
    userPasswordExpirationAction: "MAINTAIN",
    userPasswordEnabled: true,
    userCertEnabled: false,
    deviceCertEnabled: false,
    radsecEnabled: false,
  };
}

/** The user-portal policy that requires MFA, as the notes (§10.3) correct the guide's snippet. */
export function mfaPolicy(
  id: string,
  opts: { name: string; disabled?: boolean; allUsers?: boolean; groupId?: string; conditions?: Doc },
): Doc {
  return {
    id,
    name: opts.name,
    disabled: opts.disabled ?? false,
    type: "user_portal",
    conditions: opts.conditions ?? {},
    effect: {
      action: "allow",
      obligations: {
        mfa: { required: true },
        mfaFactors: [{ type: "TOTP" }, { type: "WEBAUTHN" }, { type: "PUSH" }],
        userVerification: { requirement: "required" },
      },
    },
    targets: {
      ...(opts.allUsers === false ? {} : { users: { inclusions: ["ALL"] } }),
      ...(opts.groupId ? { userGroups: { inclusions: [opts.groupId] } } : {}),
      resources: [{ type: "user_portal" }],
    },
  };
}

/** A device-trust policy: deny unmanaged or unencrypted devices. */
export function deviceTrustPolicy(id: string, name: string): Doc {
  return {
    id,
    name,
    disabled: false,
    type: "user_portal",
    conditions: { not: { all: [{ deviceManaged: true }, { deviceEncrypted: true }] } },
    effect: { action: "deny" },
    targets: { users: { inclusions: ["ALL"] }, resources: [{ type: "user_portal" }] },
  };
}

/**
 * A device-policy template; see `TEMPLATE_DEFS` in catalog.ts for which names are real. Only fields that both
 * `PolicyTemplate` (list, embedded in policies) and `PolicyTemplateWithDetails` (`GET /policytemplates/{id}`)
 * define: the latter has no `deliveryTypes`, `state`, `alert` or `reference` (PS-V2). The catalog adds
 * `configFields`, which only the detail routes show.
 */
export function template(id: string, name: string, displayName: string, osMetaFamily: string): Doc {
  return {
    id,
    name,
    displayName,
    description: displayName,
    osMetaFamily,
  };
}

/** A template as embedded in a policy or listed by `GET /policytemplates`: without `configFields`. */
export function templateSummary(tmpl: Doc): Doc {
  const { configFields: _fields, ...summary } = tmpl;
  return summary;
}

/**
 * A device policy as stored: `{id, name, notes, template, values}`. `configFields` are not stored: the
 * routes take them from the template (see sim/routes/v2.ts).
 */
export function policy(id: string, name: string, tmpl: Doc, values: Doc[] = []): Doc {
  return { id, name, notes: "", template: templateSummary(tmpl), values };
}

/** A policy result on one system; `success` is the compliance signal (there is no `status`). */
export function policyResult(
  id: string,
  policyId: string,
  systemId: string,
  now: Date,
  success: boolean,
): Doc {
  const started = new Date(now.getTime() - 3_600_000);
  return {
    id,
    policyID: policyId,
    systemID: systemId,
    startedAt: iso(started),
    endedAt: iso(new Date(started.getTime() + 4_000)),
    success,
    // Casing of `state` is undocumented ("Success, failed, or pending"); the simulator uses lowercase.
    state: success ? "success" : "failed",
    exitStatus: success ? 0 : 1,
    detail: success ? "" : "policy could not be applied",
    stdOut: "",
    stdErr: "",
  };
}

/** Capitalizes a word. */
export function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}
