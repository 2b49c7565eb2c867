/**
 * The data an audit run collects once and every control reads: one entry per JumpCloud
 * collection, already reduced to what the controls need (RADIUS secrets never leave the collector).
 */
import type {
  AdminUser,
  AuthnPolicy,
  IpList,
  JcSystem,
  LdapServer,
  Organization,
  PolicyResult,
  PolicyTemplate,
  RadiusServer,
  SystemUser,
} from "../jumpcloud/types.js";

/**
 * A device policy with its values, config fields and the latest result per system. `values` and
 * `configFields` are kept as JumpCloud sent them: values are typed JSON (§12.1: numbers, booleans,
 * arrays, strings), and either may be absent or oddly shaped, so the control reads them tolerantly.
 */
export interface DevicePolicy {
  id: string;
  name: string;
  template: PolicyTemplate;
  /** `values` of `GET /api/v2/policies/{id}`: entries `{configFieldID, configFieldName, value, sensitive?}`. */
  values: unknown;
  /** Field definitions (`id`, `name`, `label`, …) from the policy's details, else from its template's details. */
  configFields: unknown;
  /** Where `configFields` came from; `none` when neither the policy nor its template carried them. */
  configFieldsSource: "policy" | "template" | "none";
  statuses: PolicyResult[];
}

/** A RADIUS server as audits see it: the shared secret is replaced by facts about it. */
export type RadiusServerFacts = Omit<RadiusServer, "sharedSecret"> & {
  sharedSecret: { length: number; characterClasses: number };
};

/** The Directory Insights window a dataset covers, and the cap the plan's retention put on it. */
export interface InsightsWindow {
  /** Hours actually queried (the requested window, capped by retention). */
  windowHours: number;
  start: string;
  end: string;
  /** Set when the requested window was longer than the plan keeps events. */
  cappedBy?: { requestedHours: number; retentionDays: number; plan: string };
}

/** Event counts over a window of Directory Insights. */
export interface InsightsActivity extends InsightsWindow {
  eventCount: number;
}

/** The six event classes of the guide's "Key Events to Monitor" table (5.2). */
export type KeyEventClass =
  | "adminLogins"
  | "adminChanges"
  | "mfaDisable"
  | "failedAuthentication"
  | "newDevices"
  | "policyChanges";

/** Counts of key events over a window, with failed admin logins by source address. */
export interface KeyEvents extends InsightsWindow {
  classes: Record<KeyEventClass, { count: number; eventTypes: string[]; breakdown?: Record<string, number> }>;
  failedAdminLogins: number;
  /** By `client_ip`; events without one are counted under "not reported". */
  failedAdminLoginsByIp: Record<string, number>;
}

/** Everything a run can collect, by dataset name. */
export interface Snapshot {
  organization: Organization;
  admins: AdminUser[];
  users: SystemUser[];
  systems: JcSystem[];
  authnPolicies: AuthnPolicy[];
  ipLists: IpList[];
  devicePolicies: DevicePolicy[];
  radiusServers: RadiusServerFacts[];
  ldapServers: LdapServer[];
  insightsActivity: InsightsActivity;
  keyEvents: KeyEvents;
}

/** A dataset name. */
export type DatasetName = keyof Snapshot;

/** Plan features that gate datasets (hardening guide, Appendix A). */
export type PlanFeature = "conditionalAccess" | "directoryInsights";

/** Which plan feature each gated dataset needs. */
export const DATASET_FEATURE: Partial<Record<DatasetName, PlanFeature>> = {
  authnPolicies: "conditionalAccess",
  ipLists: "conditionalAccess",
  insightsActivity: "directoryInsights",
  keyEvents: "directoryInsights",
};

/** Why a dataset could not be read. */
export interface DatasetError {
  dataset: DatasetName;
  code: string;
  message: string;
  status?: number;
}

/** The outcome of collecting one dataset. */
export type Collected<T> = { ok: true; data: T } | { ok: false; error: DatasetError };

/** What a run collected: each dataset it needed, read or failed. */
export type CollectedSnapshot = { [K in DatasetName]?: Collected<Snapshot[K]> };
