/** Collectors: fetch each dataset once per run through the JumpCloud client. Controls never fetch. */
import type { JumpCloudClient } from "../jumpcloud/client.js";
import { JumpCloudConfigError, JumpCloudError } from "../jumpcloud/errors.js";
import {
  countEvents,
  getOrganization,
  listAdmins,
  listAuthnPolicies,
  listIpLists,
  listLdapServers,
  listPolicies,
  listPolicyStatuses,
  listRadiusServers,
  listSystems,
  listSystemUsers,
  searchEvents,
} from "../jumpcloud/resources.js";
import type { PolicyResult, PolicyTemplate, RadiusServer, SearchTerm } from "../jumpcloud/types.js";
import { KEY_EVENT_CLASSES } from "./key-events.js";
import type {
  Collected,
  CollectedSnapshot,
  DatasetName,
  DevicePolicy,
  KeyEventClass,
  RadiusServerFacts,
  Snapshot,
} from "./snapshot.js";

/** What collectors need besides the client. */
export interface CollectContext {
  readonly orgId: string;
  readonly now: Date;
  /** Window of the Directory Insights activity check (5.1). */
  readonly activityWindowHours: number;
  /** Window of the key-event counts (5.2). */
  readonly keyEventsWindowHours: number;
  /** Called as items stream in, for progress display. */
  readonly onProgress?: (dataset: DatasetName, items: number) => void;
}

type Collector<K extends DatasetName> = (
  client: JumpCloudClient,
  ctx: CollectContext,
) => Promise<Snapshot[K]>;

/** Only the fields the audits read travel (this matters at 100k users). */
export const FIELDS = {
  admins: [
    "email",
    "firstname",
    "lastname",
    "roleName",
    "roleNames",
    "enableMultiFactor",
    "totpEnrolled",
    "suspended",
    "apiKeyAllowed",
    "apiKeySet",
    "apiKeyUpdatedAt",
  ],
  users: [
    "username",
    "email",
    "state",
    "activated",
    "suspended",
    "totp_enabled",
    "enable_user_portal_multifactor",
    "mfa",
    "mfaEnrollment",
    "ldap_binding_user",
  ],
  systems: [
    "displayName",
    "hostname",
    "os",
    "osFamily",
    "active",
    "lastContact",
    "allowMultiFactorAuthentication",
    "allowSshPasswordAuthentication",
    "allowSshRootLogin",
    "fde",
  ],
  policyStatuses: ["policyID", "systemID", "success", "state", "endedAt"],
} as const;

const COLLECTORS: { [K in DatasetName]: Collector<K> } = {
  organization: (client, ctx) => getOrganization(client, ctx.orgId),
  admins: (client, ctx) => drain(() => listAdmins(client, FIELDS.admins), "admins", ctx),
  users: (client, ctx) => drain(() => listSystemUsers(client, FIELDS.users), "users", ctx),
  systems: (client, ctx) => drain(() => listSystems(client, FIELDS.systems), "systems", ctx),
  authnPolicies: (client, ctx) => drain(() => listAuthnPolicies(client), "authnPolicies", ctx),
  ipLists: (client, ctx) => drain(() => listIpLists(client), "ipLists", ctx),
  ldapServers: (client, ctx) => drain(() => listLdapServers(client), "ldapServers", ctx),
  radiusServers: async (client, ctx) =>
    (await drain(() => listRadiusServers(client), "radiusServers", ctx)).map(radiusFacts),
  devicePolicies: async (client, ctx) => {
    const policies = await drain(() => listPolicies(client), "devicePolicies", ctx);
    // Details (values) and statuses per policy; the client's in-flight limit bounds the fan-out.
    return Promise.all(
      policies.map(async (policy): Promise<DevicePolicy> => {
        const [details, statuses] = await Promise.all([
          client.get<Partial<DevicePolicy>>(`/api/v2/policies/${encodeURIComponent(policy.id)}`),
          drain(
            () => listPolicyStatuses(client, policy.id, FIELDS.policyStatuses),
            "devicePolicies",
            ctx,
          ) as Promise<PolicyResult[]>,
        ]);
        return {
          id: policy.id,
          name: policy.name ?? details.name ?? policy.id,
          template: (policy.template ?? details.template ?? { id: "" }) as PolicyTemplate,
          values: details.values ?? [],
          configFields: details.configFields ?? [],
          statuses,
        };
      }),
    );
  },
  insightsActivity: async (client, ctx) => {
    const window = windowOf(ctx.now, ctx.activityWindowHours);
    const eventCount = await countEvents(client, {
      service: ["all"],
      start_time: window.start,
      end_time: window.end,
    });
    return { windowHours: ctx.activityWindowHours, ...window, eventCount };
  },
  keyEvents: async (client, ctx) => {
    const window = windowOf(ctx.now, ctx.keyEventsWindowHours);
    const query = (term: SearchTerm) => ({
      service: ["all" as const],
      start_time: window.start,
      end_time: window.end,
      search_term: term,
    });
    const entries = await Promise.all(
      (Object.entries(KEY_EVENT_CLASSES) as [KeyEventClass, (typeof KEY_EVENT_CLASSES)[KeyEventClass]][]).map(
        async ([name, definition]) => {
          const term: SearchTerm = {
            and: [
              { event_type: [...definition.eventTypes] },
              ...(definition.failuresOnly ? [{ success: "false" }] : []),
            ],
          };
          return [
            name,
            { count: await countEvents(client, query(term)), eventTypes: [...definition.eventTypes] },
          ] as const;
        },
      ),
    );
    const failedAdminLoginsByIp: Record<string, number> = {};
    let failedAdminLogins = 0;
    const failed = query({ and: [{ event_type: ["admin_login_attempt"] }, { success: "false" }] });
    for await (const event of searchEvents(client, { ...failed, fields: ["client_ip"] })) {
      failedAdminLogins += 1;
      const ip = typeof event.client_ip === "string" ? event.client_ip : "unknown";
      failedAdminLoginsByIp[ip] = (failedAdminLoginsByIp[ip] ?? 0) + 1;
    }
    return {
      windowHours: ctx.keyEventsWindowHours,
      ...window,
      classes: Object.fromEntries(entries) as KeyEventsClasses,
      failedAdminLogins,
      failedAdminLoginsByIp,
    };
  },
};

type KeyEventsClasses = Snapshot["keyEvents"]["classes"];

/** Collects the named datasets concurrently; a failure is recorded for that dataset only. */
export async function collectSnapshot(
  client: JumpCloudClient,
  datasets: readonly DatasetName[],
  ctx: CollectContext,
): Promise<CollectedSnapshot> {
  const entries = await Promise.all(
    [...new Set(datasets)].map(async (dataset) => [dataset, await collectOne(client, dataset, ctx)] as const),
  );
  return Object.fromEntries(entries) as CollectedSnapshot;
}

async function collectOne<K extends DatasetName>(
  client: JumpCloudClient,
  dataset: K,
  ctx: CollectContext,
): Promise<Collected<Snapshot[K]>> {
  try {
    return { ok: true, data: await (COLLECTORS[dataset] as Collector<K>)(client, ctx) };
  } catch (error) {
    if (error instanceof JumpCloudConfigError) throw error;
    if (error instanceof JumpCloudError) {
      return {
        ok: false,
        error: { dataset, code: error.code, message: error.message, status: error.status },
      };
    }
    return {
      ok: false,
      error: {
        dataset,
        code: "COLLECTOR_FAILED",
        message: `Collecting ${dataset} failed: ${(error as Error).message}`,
      },
    };
  }
}

/** Reads a whole collection; an inconsistent read is read once more (live data may shift while paging), then fails. */
async function drain<T>(
  read: () => AsyncIterable<T>,
  dataset: DatasetName,
  ctx: CollectContext,
): Promise<T[]> {
  try {
    return await drainOnce(read(), dataset, ctx);
  } catch (first) {
    if (!isIncomplete(first)) throw first;
    try {
      return await drainOnce(read(), dataset, ctx);
    } catch (second) {
      if (!isIncomplete(second)) throw second;
      throw new JumpCloudError(second.code, `${second.reason}; read twice, inconsistent both times`, second);
    }
  }
}

function isIncomplete(error: unknown): error is JumpCloudError {
  return error instanceof JumpCloudError && error.code === "INCOMPLETE_COLLECTION";
}

async function drainOnce<T>(
  items: AsyncIterable<T>,
  dataset: DatasetName,
  ctx: CollectContext,
): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    out.push(item);
    if (ctx.onProgress && out.length % 1000 === 0) ctx.onProgress(dataset, out.length);
  }
  ctx.onProgress?.(dataset, out.length);
  return out;
}

/** Replaces the shared secret by its length and character variety, the moment it arrives. */
function radiusFacts(server: RadiusServer): RadiusServerFacts {
  const { sharedSecret, ...rest } = server;
  const secret = typeof sharedSecret === "string" ? sharedSecret : "";
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((pattern) =>
    pattern.test(secret),
  ).length;
  return { ...rest, sharedSecret: { length: secret.length, characterClasses: classes } };
}

function windowOf(now: Date, hours: number): { start: string; end: string } {
  return { start: new Date(now.getTime() - hours * 3_600_000).toISOString(), end: now.toISOString() };
}
