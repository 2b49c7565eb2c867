/** Collectors: fetch each dataset once per run through the JumpCloud client. Controls never fetch. */
import type { JumpCloudClient } from "../jumpcloud/client.js";
import { JumpCloudConfigError, JumpCloudError } from "../jumpcloud/errors.js";
import {
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
} from "../jumpcloud/resources.js";
import type { PolicyResult, PolicyTemplate, RadiusServer } from "../jumpcloud/types.js";
import { CollectError } from "./errors.js";
import {
  collectInsightsActivity,
  collectKeyEvents,
  type InsightsRetention,
  insightsWindow,
} from "./insights.js";
import { reconcilePlanAnswers } from "./plan-answers.js";
import type {
  Collected,
  CollectedSnapshot,
  DatasetName,
  DevicePolicy,
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
  /** How long the plan keeps Directory Insights events, when the plan is known: windows are capped to it. */
  readonly insightsRetention?: InsightsRetention;
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
    const detailed = await Promise.all(
      policies.map(async (policy) => {
        const [details, statuses] = await Promise.all([
          client.get<Record<string, unknown> | null>(`/api/v2/policies/${encodeURIComponent(policy.id)}`),
          drain(
            () => listPolicyStatuses(client, policy.id, FIELDS.policyStatuses),
            "devicePolicies",
            ctx,
          ) as Promise<PolicyResult[]>,
        ]);
        return { policy, details: isRecord(details) ? details : {}, statuses };
      }),
    );
    // Whether `GET /policies/{id}` carries `configFields` is not known (§12.1); field definitions are
    // documented on `GET /policytemplates/{id}`, read once per template for the policies that lack them.
    const templateIds = [
      ...new Set(
        detailed
          .filter(({ details }) => !Array.isArray(details.configFields))
          .map(({ policy }) => policy.template?.id)
          .filter((id): id is string => typeof id === "string" && id !== ""),
      ),
    ];
    const templateFields = new Map(
      await Promise.all(
        templateIds.map(async (id) => {
          const template = await client.get<Record<string, unknown> | null>(
            `/api/v2/policytemplates/${encodeURIComponent(id)}`,
          );
          return [id, isRecord(template) ? template.configFields : undefined] as const;
        }),
      ),
    );
    return detailed.map(({ policy, details, statuses }): DevicePolicy => {
      const templateId = policy.template?.id;
      const fromTemplate = templateId ? templateFields.get(templateId) : undefined;
      const source = Array.isArray(details.configFields)
        ? "policy"
        : Array.isArray(fromTemplate)
          ? "template"
          : "none";
      return {
        id: policy.id,
        name:
          typeof policy.name === "string"
            ? policy.name
            : typeof details.name === "string"
              ? details.name
              : policy.id,
        template: (policy.template ?? details.template ?? { id: "" }) as PolicyTemplate,
        values: details.values,
        configFields:
          source === "policy" ? details.configFields : source === "template" ? fromTemplate : undefined,
        configFieldsSource: source,
        statuses,
      };
    });
  },
  insightsActivity: (client, ctx) =>
    collectInsightsActivity(client, insightsWindow(ctx.now, ctx.activityWindowHours, ctx.insightsRetention)),
  keyEvents: (client, ctx) =>
    collectKeyEvents(client, insightsWindow(ctx.now, ctx.keyEventsWindowHours, ctx.insightsRetention)),
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Collects the named datasets concurrently; a failure is recorded for that dataset only. */
export async function collectSnapshot(
  client: JumpCloudClient,
  datasets: readonly DatasetName[],
  ctx: CollectContext,
): Promise<CollectedSnapshot> {
  const entries = await Promise.all(
    [...new Set(datasets)].map(async (dataset) => [dataset, await collectOne(client, dataset, ctx)] as const),
  );
  return reconcilePlanAnswers(client, Object.fromEntries(entries) as CollectedSnapshot, ctx.now);
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
    if (error instanceof CollectError) {
      return { ok: false, error: { dataset, code: error.code, message: error.message } };
    }
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
