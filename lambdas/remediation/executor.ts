/**
 * Reads, applies and undoes remediation actions through the JumpCloud client. Writes are never
 * retried blindly: when a write's outcome is unknown (timeout, dropped connection, 5xx), the state is
 * re-read to learn whether it happened.
 */
import type { JumpCloudClient } from "../jumpcloud/client.js";
import { JumpCloudError } from "../jumpcloud/errors.js";
import {
  createAuthnPolicy,
  createIpList,
  deleteAuthnPolicy,
  deleteIpList,
  getOrganization,
  getRadiusServer,
  getSystem,
  listAdmins,
  listAuthnPolicies,
  listIpLists,
  patchAuthnPolicy,
  updateAdmin,
  updateOrganizationSettings,
  updateRadiusServer,
  updateSystem,
} from "../jumpcloud/resources.js";
import type { AuthnCondition, AuthnPolicy, OrganizationSettings } from "../jumpcloud/types.js";
import type { RemediationAction } from "./actions.js";
import { RemediationError } from "./errors.js";

/** Ids of resources created earlier in the same apply, by `ref`. */
export type CreatedRefs = Map<string, string>;

/** What applying one action did. */
export interface ActionResult {
  actionId: string;
  outcome: "applied" | "already";
  /** Id of a created resource (to delete on rollback). */
  createdId?: string;
}

/** The action's field as it is now: the value, or for creations the id of a resource of that name (null: none). */
export async function readCurrent(client: JumpCloudClient, action: RemediationAction): Promise<unknown> {
  switch (action.kind) {
    case "admin-mfa": {
      for await (const admin of listAdmins(client, ["enableMultiFactor"]))
        if (admin._id === action.adminId) return admin.enableMultiFactor === true;
      throw new RemediationError("STATE_CHANGED", `Admin ${action.resource.name} no longer exists`);
    }
    case "directory-insights":
      return (
        (await getOrganization(client, action.orgId)).settings?.features?.directoryInsights?.enabled ?? null
      );
    case "create-ip-list":
      return (await findByName(listIpLists(client), action.name)) ?? null;
    case "create-authn-policy":
      return (await findByName(listAuthnPolicies(client), action.name)) ?? null;
    case "enable-authn-policy":
      return (
        (await client.get<AuthnPolicy>(`/api/v2/authn/policies/${encodeURIComponent(action.policyId)}`))
          .disabled === true
      );
    case "system-flag":
      return (await getSystem(client, action.systemId, [action.flag]))[action.flag] ?? null;
    case "radius-mfa":
      return (await getRadiusServer(client, action.serverId)).mfa ?? null;
  }
}

/** Applies one action; a resource it would create that already exists (same name) is left as is. */
export async function applyAction(
  client: JumpCloudClient,
  action: RemediationAction,
  refs: CreatedRefs,
): Promise<ActionResult> {
  const current = await readCurrent(client, action);
  if (action.kind === "create-ip-list" || action.kind === "create-authn-policy") {
    if (typeof current === "string") {
      if (action.kind === "create-ip-list") refs.set(action.ref, current);
      return { actionId: action.id, outcome: "already" };
    }
  } else if (current === action.after) return { actionId: action.id, outcome: "already" };

  const confirm = async (): Promise<ActionResult> => {
    const now = await readCurrent(client, action);
    // Why: only creations read back an id; RADIUS `mfa` is a string too, so a failed RADIUS write
    // ("ENABLED" re-read) was taken for a created id and recorded as applied.
    const creates = action.kind === "create-ip-list" || action.kind === "create-authn-policy";
    const created = creates && typeof now === "string" ? now : undefined;
    if (created && action.kind === "create-ip-list") refs.set(action.ref, created);
    if (created || (!creates && now === action.after))
      return { actionId: action.id, outcome: "applied", ...(created ? { createdId: created } : {}) };
    throw new RemediationError(
      "WRITE_FAILED",
      `${action.description}: the write's outcome was unknown and a re-read shows it did not happen`,
    );
  };
  try {
    switch (action.kind) {
      case "admin-mfa":
        await updateAdmin(client, action.adminId, { enableMultiFactor: true });
        break;
      case "directory-insights":
        await setDirectoryInsights(client, action.orgId, true);
        break;
      case "create-ip-list": {
        const created = await createIpList(client, {
          name: action.name,
          description: action.description,
          ips: action.ips,
        });
        if (!created.id) return await confirm();
        refs.set(action.ref, created.id);
        return { actionId: action.id, outcome: "applied", createdId: created.id };
      }
      case "create-authn-policy": {
        const created = await createAuthnPolicy(client, resolveRefs(action.body, refs));
        if (!created.id) return await confirm();
        return { actionId: action.id, outcome: "applied", createdId: created.id };
      }
      case "enable-authn-policy":
        await patchAuthnPolicy(client, action.policyId, { disabled: false });
        break;
      case "system-flag":
        await updateSystem(client, action.systemId, { [action.flag]: action.after });
        break;
      case "radius-mfa":
        await setRadiusMfa(client, action.serverId, action.after);
        break;
    }
  } catch (error) {
    if (
      error instanceof JumpCloudError &&
      (error.code === "WRITE_OUTCOME_UNKNOWN" || error.code === "SERVER_ERROR")
    )
      return confirm();
    throw error;
  }
  return { actionId: action.id, outcome: "applied" };
}

/** Undoes an applied action: deletes what it created, restores the previous value (if it still holds what we set). */
export async function undoAction(
  client: JumpCloudClient,
  action: RemediationAction,
  result: ActionResult,
): Promise<"restored" | "changed-since" | "nothing-to-undo"> {
  if (result.outcome === "already") return "nothing-to-undo";
  if (action.kind === "create-ip-list" || action.kind === "create-authn-policy") {
    if (!result.createdId) return "nothing-to-undo";
    try {
      if (action.kind === "create-ip-list") await deleteIpList(client, result.createdId);
      else await deleteAuthnPolicy(client, result.createdId);
    } catch (error) {
      if (error instanceof JumpCloudError && error.code === "NOT_FOUND") return "changed-since";
      throw error;
    }
    return "restored";
  }
  if ((await readCurrent(client, action)) !== action.after) return "changed-since";
  switch (action.kind) {
    case "admin-mfa":
      await updateAdmin(client, action.adminId, { enableMultiFactor: action.before });
      break;
    case "directory-insights":
      await setDirectoryInsights(client, action.orgId, action.before === true);
      break;
    case "enable-authn-policy":
      await patchAuthnPolicy(client, action.policyId, { disabled: true });
      break;
    case "system-flag":
      if (action.before !== null)
        await updateSystem(client, action.systemId, { [action.flag]: action.before });
      break;
    case "radius-mfa":
      if (action.before !== null) await setRadiusMfa(client, action.serverId, action.before as "REQUIRED");
      break;
  }
  return "restored";
}

/** Read-modify-write of `settings.features`, keeping every other feature as it is. */
async function setDirectoryInsights(client: JumpCloudClient, orgId: string, enabled: boolean): Promise<void> {
  const features = (await getOrganization(client, orgId)).settings?.features ?? {};
  const settings: OrganizationSettings = {
    features: { ...features, directoryInsights: { ...features.directoryInsights, enabled } },
  };
  await updateOrganizationSettings(client, orgId, settings);
}

/** The PUT needs name, source IP and the shared secret: passed through from a fresh read, never logged or stored. */
async function setRadiusMfa(
  client: JumpCloudClient,
  serverId: string,
  mfa: "REQUIRED" | "ENABLED" | "DISABLED" | "ALWAYS",
): Promise<void> {
  const server = await getRadiusServer(client, serverId);
  if (!server.name || !server.networkSourceIp || !server.sharedSecret) {
    throw new RemediationError(
      "WRITE_FAILED",
      `RADIUS server ${serverId} lacks the name, source IP or shared secret its PUT requires`,
    );
  }
  await updateRadiusServer(client, serverId, {
    name: server.name,
    networkSourceIp: server.networkSourceIp,
    sharedSecret: server.sharedSecret,
    mfa,
  });
}

async function findByName(
  items: AsyncIterable<{ id?: string; name?: string }>,
  name: string,
): Promise<string | undefined> {
  for await (const item of items) if (item.name === name && item.id) return item.id;
  return undefined;
}

/** Replaces `ref:<name>` in `ipAddressIn` lists by the ids of lists created earlier in the apply. */
function resolveRefs(body: AuthnPolicy, refs: CreatedRefs): AuthnPolicy {
  const resolve = (condition: AuthnCondition): AuthnCondition => {
    if ("ipAddressIn" in condition) {
      return {
        ipAddressIn: condition.ipAddressIn.map((id) => {
          if (!id.startsWith("ref:")) return id;
          const created = refs.get(id.slice(4));
          if (!created)
            throw new RemediationError("WRITE_FAILED", `The policy refers to ${id}, which was not created`);
          return created;
        }),
      };
    }
    if ("not" in condition) return { not: resolve(condition.not) };
    if ("all" in condition) return { all: condition.all.map(resolve) };
    if ("any" in condition) return { any: condition.any.map(resolve) };
    return condition;
  };
  return body.conditions && Object.keys(body.conditions).length > 0
    ? { ...body, conditions: resolve(body.conditions as AuthnCondition) }
    : body;
}
