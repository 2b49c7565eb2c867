/**
 * Shapes of the JumpCloud resources this project reads or writes, as documented in
 * shared/jumpcloud-api-notes.md (sources PS-V1/PS-V2/PS-DI). Only fields we use or
 * show are typed; every field is optional because `fields` projection may omit it.
 */

/** A JumpCloud object id (24 hex digits). */
export type ObjectId = string;

/** v1 list envelope: `{ totalCount, results }` (notes §0). */
export interface V1List<T> {
  totalCount: number;
  results: T[];
}

/** `GET /api/organizations` list item (no settings, notes §1). */
export interface OrganizationSummary {
  _id: ObjectId;
  displayName?: string;
  logoUrl?: string;
}

/** `organizationsettings`, the security-relevant parts (notes §1). */
export interface OrganizationSettings {
  requireAdminMFA?: boolean;
  features?: {
    directoryInsights?: { enabled?: boolean };
    directoryInsightsPremium?: { enabled?: boolean; createdAt?: string; updatedAt?: string };
    systemInsights?: { enabled?: boolean };
  };
  passwordCompliance?: "custom" | "pci3" | "windows";
  passwordPolicy?: Record<string, unknown>;
  userPortal?: { cookieExpirationType?: "session" | "date"; idleSessionDurationMinutes?: number };
  disableLdap?: boolean;
  name?: string;
  contactName?: string;
  contactEmail?: string;
  [key: string]: unknown;
}

/** `GET /api/organizations/{id}` (notes §1). */
export interface Organization {
  _id: ObjectId;
  displayName?: string;
  created?: string;
  settings?: OrganizationSettings;
}

/** An admin account (`userreturn`, listed by the undocumented `GET /api/users`, notes §2). */
export interface AdminUser {
  _id: ObjectId;
  email?: string;
  firstname?: string;
  lastname?: string;
  organization?: ObjectId;
  created?: string;
  role?: string;
  roleName?: string;
  roleNames?: string[];
  enableMultiFactor?: boolean;
  totpEnrolled?: boolean;
  totpUpdatedAt?: string;
  suspended?: boolean;
  apiKeyAllowed?: boolean;
  apiKeySet?: boolean;
  apiKeyUpdatedAt?: string;
}

/** `mfaEnrollmentStatus` enum (notes §3). */
export type MfaEnrollmentStatus =
  | "NOT_ENROLLED"
  | "DISABLED"
  | "PENDING_ACTIVATION"
  | "ENROLLMENT_EXPIRED"
  | "IN_ENROLLMENT"
  | "PRE_ENROLLMENT"
  | "ENROLLED";

/** A directory user (`systemuserreturn`, notes §3). */
export interface SystemUser {
  _id: ObjectId;
  username?: string;
  email?: string;
  firstname?: string;
  lastname?: string;
  state?: "STAGED" | "ACTIVATED" | "SUSPENDED";
  activated?: boolean;
  suspended?: boolean;
  account_locked?: boolean;
  totp_enabled?: boolean;
  enable_user_portal_multifactor?: boolean;
  mfa?: { configured?: boolean; exclusion?: boolean; exclusionDays?: number; exclusionUntil?: string };
  mfaEnrollment?: {
    overallStatus?: MfaEnrollmentStatus;
    totpStatus?: MfaEnrollmentStatus;
    webAuthnStatus?: MfaEnrollmentStatus;
    pushStatus?: MfaEnrollmentStatus;
    jcGoStatus?: MfaEnrollmentStatus;
  };
  ldap_binding_user?: boolean;
  sudo?: boolean;
  admin?: { id?: ObjectId; roleName?: string; roleNames?: string[] } | null;
}

/** A device (`system`, renamed `JcSystem` by PS; notes §4). */
export interface JcSystem {
  _id: ObjectId;
  displayName?: string;
  hostname?: string;
  os?: string;
  osFamily?: string;
  active?: boolean;
  lastContact?: string | null;
  allowMultiFactorAuthentication?: boolean;
  allowSshPasswordAuthentication?: boolean;
  allowSshRootLogin?: boolean;
  allowPublicKeyAuthentication?: boolean;
  fde?: { active?: boolean; keyPresent?: boolean };
}

/** RADIUS server (notes §8). `sharedSecret` is returned by GET: evaluate it, never store or print it. */
export interface RadiusServer {
  _id: ObjectId;
  name?: string;
  networkSourceIp?: string;
  sharedSecret?: string;
  mfa?: "DISABLED" | "ENABLED" | "REQUIRED" | "ALWAYS";
  authIdp?: "JUMPCLOUD" | "AZURE";
  userLockoutAction?: string;
  userPasswordExpirationAction?: string;
}

/** LDAP server (notes §8). */
export interface LdapServer {
  id: ObjectId;
  name?: string;
  userLockoutAction?: "disable" | "remove";
  userPasswordExpirationAction?: "disable" | "remove";
}

/** `AuthnPolicy.conditions` grammar (notes §5, from BT-V2). */
export type AuthnCondition =
  | { deviceEncrypted: boolean }
  | { deviceManaged: boolean }
  | { ipAddressIn: ObjectId[] }
  | { locationIn: { countries: string[] } }
  | { not: AuthnCondition }
  | { all: AuthnCondition[] }
  | { any: AuthnCondition[] };

/** MFA factor object (notes §5: objects, not strings). */
export interface MfaFactor {
  type: "DURT" | "WEBAUTHN" | "PUSH" | "DUO" | "TOTP";
}

/** A conditional-access (authentication) policy (notes §5). */
export interface AuthnPolicy {
  id?: ObjectId;
  name?: string;
  description?: string;
  disabled?: boolean;
  type?: "user_portal" | "application" | "ldap" | "admin_portal";
  conditions?: AuthnCondition | Record<string, never>;
  effect?: {
    action: "allow" | "deny" | "unknown";
    obligations?: {
      mfa?: { required?: boolean };
      mfaFactors?: MfaFactor[];
      userVerification?: { requirement?: "none" | "optional" | "required" };
    };
  };
  targets?: {
    users?: { inclusions?: string[] };
    userGroups?: { inclusions?: ObjectId[]; exclusions?: ObjectId[] };
    resources?: { type: "admin_portal" | "user_portal" | "application" | "ldap"; id?: string }[];
    userAttributes?: Record<string, unknown>;
  };
}

/** A trusted IP list (notes §6). */
export interface IpList {
  id?: ObjectId;
  name?: string;
  description?: string;
  ips?: string[];
}

/** Device policy template (notes §7). */
export interface PolicyTemplate {
  id: ObjectId;
  name?: string;
  displayName?: string;
  description?: string;
  osMetaFamily?: "linux" | "darwin" | "windows" | "ios" | "universal" | "android";
}

/** Device policy list item (notes §7). */
export interface Policy {
  id: ObjectId;
  name?: string;
  template?: PolicyTemplate;
}

/** Latest result of a policy on one system (notes §7). There is no `status` field: use `success`. */
export interface PolicyResult {
  id?: ObjectId;
  policyID?: ObjectId;
  systemID?: ObjectId;
  startedAt?: string;
  endedAt?: string;
  success?: boolean;
  state?: string;
  exitStatus?: number;
  detail?: string;
}

/** Directory Insights services (PS-DI `EventQuery.service` enum). */
export type InsightsService =
  | "alerts"
  | "all"
  | "directory"
  | "ldap"
  | "mdm"
  | "notifications"
  | "object_storage"
  | "password_manager"
  | "radius"
  | "reports"
  | "saas_app_management"
  | "software"
  | "sso"
  | "systems"
  | "access_management"
  | "asset_management";

/** `search_term`: nested `and`/`or`/`not` of `{field: value | value[]}` (notes §9). */
export type SearchTerm = { and: SearchClause[] } | { or: SearchClause[] } | { not: SearchClause[] };
/** One clause of a `search_term`. */
export type SearchClause = SearchTerm | Record<string, string | number | boolean | (string | number)[]>;

/** Directory Insights `EventQuery` (notes §9). `search_after` is managed by the paginator. */
export interface EventQuery {
  service: InsightsService[];
  start_time: string;
  end_time?: string;
  limit?: number;
  sort?: "ASC" | "DESC";
  fields?: string[];
  search_term?: SearchTerm;
  q?: string;
}

/** A Directory Insights event; free-form beyond these common fields (notes §9). */
export interface InsightsEvent {
  id: string;
  event_type: string;
  service: string;
  timestamp: string;
  success?: boolean;
  client_ip?: string;
  organization?: ObjectId;
  initiated_by?: { id?: string; type?: string; email?: string; username?: string };
  resource?: { id?: string; type?: string; email?: string; name?: string };
  [field: string]: unknown;
}
