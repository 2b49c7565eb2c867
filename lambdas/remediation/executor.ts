/**
 * Reads, applies and undoes remediation actions through the JumpCloud client. A write is never resent:
 * when its outcome is unknown (timeout, dropped connection, 5xx), the state is re-read with backoff for
 * as long as a write can take. Undo touches only what is exactly as apply left it.
 */
import { isDeepStrictEqual } from "node:util";
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
import type { ActionResult, UndoOutcome } from "./record.js";

/** Ids of resources created earlier in the same apply, by `ref`. */
export type CreatedRefs = Map<string, string>;

/** How writes of unknown outcome are confirmed. */
export interface ExecutorOptions {
  /**
   * Waits before each re-read of a write whose outcome is unknown; together they should outlast the
   * longest a write can take to land after its request timed out.
   */
  readonly confirmDelaysMs: readonly number[];
}

/**
 * About two minutes of re-reads: four times the client's 30-second per-attempt timeout. How long
 * JumpCloud may take to land a write after a timeout is not documented; this is a bound, not a fact.
 */
export const DEFAULT_CONFIRM_DELAYS_MS: readonly number[] = [
  1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 30_000, 30_000,
];

/** What applying one action did, and what to keep in the journal. */
export interface Applied {
  result: ActionResult;
  /** The whole object as apply left it (created lists and policies, an enabled policy). */
  leftAs?: unknown;
  detail?: string;
}

/** What undoing one action did. */
export interface Undone {
  outcome: UndoOutcome;
  detail?: string;
}

const creates = (action: RemediationAction): action is Extract<RemediationAction, { after: "created" }> =>
  action.kind === "create-ip-list" || action.kind === "create-authn-policy";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Answers that prove a write was refused before it was made; anything else may have landed. */
const REFUSED = new Set([
  "CONFIG_INVALID",
  "AUTH_REJECTED",
  "FORBIDDEN",
  "NOT_ON_PLAN",
  "NOT_FOUND",
  "BAD_REQUEST",
  "CONFLICT",
  "RATE_LIMITED",
  "REDIRECT_REFUSED",
]);

/**
 * Whether a failed write may still have happened: a timeout, a dropped connection or a 5xx, but also a
 * malformed 2xx answer or an error of our own after the request was sent. Only a refusal proves it did not.
 */
const ambiguous = (error: unknown) =>
  !(error instanceof RemediationError) && !(error instanceof JumpCloudError && REFUSED.has(error.code));

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
      return (await readPolicy(client, action.policyId)).disabled === true;
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
  options: ExecutorOptions,
): Promise<Applied> {
  const already: Applied = { result: { actionId: action.id, outcome: "already" } };
  const current = await readCurrent(client, action);
  if (creates(action)) {
    if (typeof current === "string") {
      if (action.kind === "create-ip-list") refs.set(action.ref, current);
      return already;
    }
  } else if (current === action.after) return already;

  // What the whole object should look like once the write lands, for the objects rollback compares whole.
  let expected: Record<string, unknown> | undefined;
  try {
    switch (action.kind) {
      case "admin-mfa":
        await updateAdmin(client, action.adminId, { enableMultiFactor: true });
        break;
      case "directory-insights":
        await setDirectoryInsights(client, action.orgId, true);
        break;
      case "create-ip-list": {
        expected = { name: action.name, description: action.description, ips: action.ips };
        const created = await createIpList(client, {
          name: action.name,
          description: action.description,
          ips: action.ips,
        });
        if (!created.id) return await confirm(client, action, refs, options, expected);
        refs.set(action.ref, created.id);
        return {
          result: { actionId: action.id, outcome: "applied", createdId: created.id },
          ...(await leftAs(client, action, created.id, { id: created.id, ...expected })),
        };
      }
      case "create-authn-policy": {
        const body = resolveRefs(action.body, refs);
        expected = plain(body);
        const created = await createAuthnPolicy(client, body);
        if (!created.id) return await confirm(client, action, refs, options, expected);
        return {
          result: { actionId: action.id, outcome: "applied", createdId: created.id },
          ...(await leftAs(client, action, created.id, { id: created.id, ...expected })),
        };
      }
      case "enable-authn-policy":
        expected = { ...plain(await readPolicy(client, action.policyId)), disabled: false };
        await patchAuthnPolicy(client, action.policyId, { disabled: false });
        return {
          result: { actionId: action.id, outcome: "applied" },
          ...(await leftAs(client, action, action.policyId, expected)),
        };
      case "system-flag":
        await updateSystem(client, action.systemId, { [action.flag]: action.after });
        break;
      case "radius-mfa":
        await setRadiusMfa(client, action.serverId, action.after);
        break;
    }
  } catch (error) {
    if (ambiguous(error)) return confirm(client, action, refs, options, expected);
    throw error;
  }
  return { result: { actionId: action.id, outcome: "applied" } };
}

/**
 * Re-reads a write of unknown outcome with backoff, never resending it: applied as soon as a read shows
 * it; WRITE_FAILED when the last read, after the whole schedule, still shows the value before; unknown
 * otherwise (reads failing, or a third value someone else wrote).
 */
async function confirm(
  client: JumpCloudClient,
  action: RemediationAction,
  refs: CreatedRefs,
  options: ExecutorOptions,
  expected: Record<string, unknown> | undefined,
): Promise<Applied> {
  let last: "before" | "other" | "unreadable" = "unreadable";
  for (const delay of options.confirmDelaysMs) {
    await sleep(delay);
    let now: unknown;
    try {
      now = await readCurrent(client, action);
    } catch {
      last = "unreadable";
      continue;
    }
    if (creates(action)) {
      if (typeof now !== "string") {
        last = "before";
        continue;
      }
      const found = await leftAs(client, action, now, { id: now, ...expected });
      // Why compare: before apply no resource had this name (the fresh plan proved it), but one created
      // meanwhile by someone else must not be taken for ours.
      if (found.detail === undefined && expected && !hasSent(found.leftAs, expected)) {
        return {
          result: { actionId: action.id, outcome: "unknown" },
          detail: `a resource named "${action.name}" appeared, but it is not what was sent`,
        };
      }
      if (action.kind === "create-ip-list") refs.set(action.ref, now);
      return { result: { actionId: action.id, outcome: "applied", createdId: now }, ...found };
    }
    if (now === action.after) {
      if (action.kind === "enable-authn-policy")
        return {
          result: { actionId: action.id, outcome: "applied" },
          ...(await leftAs(client, action, action.policyId, expected)),
        };
      return { result: { actionId: action.id, outcome: "applied" } };
    }
    last = now === action.before ? "before" : "other";
  }
  const waited = duration(options.confirmDelaysMs);
  if (last === "before")
    throw new RemediationError(
      "WRITE_FAILED",
      `${action.description}: the write's outcome was unknown and re-reading for ${waited} shows it did not happen`,
    );
  return {
    result: { actionId: action.id, outcome: "unknown" },
    // What the enabled policy would be if the write landed: rollback compares the whole policy with it.
    ...(action.kind === "enable-authn-policy" && expected ? { leftAs: expected } : {}),
    detail:
      last === "other"
        ? `re-reading for ${waited} shows neither the value before nor the one written`
        : `it could not be re-read for ${waited}`,
  };
}

/** Undoes an applied action, only if what it changed is still exactly as apply left it. */
export async function undoAction(
  client: JumpCloudClient,
  action: RemediationAction,
  applied: { outcome: ActionResult["outcome"]; createdId?: string; leftAs?: unknown },
  refs: CreatedRefs,
  options: ExecutorOptions,
): Promise<Undone> {
  if (applied.outcome === "already") return { outcome: "nothing-to-undo" };
  const leftAlone = (why: string): Undone => ({
    outcome: "changed-since",
    detail: `${why}: changed since apply, left alone`,
  });
  if (creates(action)) {
    const id = applied.createdId ?? (await readCurrent(client, action));
    if (typeof id !== "string") return { outcome: "nothing-to-undo", detail: "it was never created" };
    let current: unknown;
    try {
      current = await readObject(client, action, id);
    } catch (error) {
      if (error instanceof JumpCloudError && error.code === "NOT_FOUND") return leftAlone("it was deleted");
      throw error;
    }
    const expected =
      applied.leftAs ??
      (action.kind === "create-ip-list"
        ? { id, name: action.name, description: action.description, ips: action.ips }
        : { id, ...plain(resolveRefs(action.body, refs, false)) });
    // Without a copy read back after the write this compares with what was sent plus its id: a field the
    // server added then reads as an edit, and the resource is left alone (the safe side).
    if (!sameObject(current, expected)) return leftAlone("it was edited");
    if (action.kind === "create-ip-list") {
      const users = await policiesUsing(client, id);
      if (users.length > 0) return leftAlone(`it is still used by ${users.join(", ")}`);
    }
    return confirmUndo(
      action,
      options,
      async () => {
        if (action.kind === "create-ip-list") await deleteIpList(client, id);
        else await deleteAuthnPolicy(client, id);
      },
      async () => {
        try {
          await readObject(client, action, id);
          return false;
        } catch (error) {
          if (error instanceof JumpCloudError && error.code === "NOT_FOUND") return true;
          throw error;
        }
      },
    );
  }
  if (action.kind === "enable-authn-policy") {
    const current = plain(await readPolicy(client, action.policyId));
    if (current.disabled !== false)
      return applied.outcome === "unknown"
        ? { outcome: "nothing-to-undo", detail: "the write never landed" }
        : leftAlone("it was disabled again");
    if (applied.leftAs === undefined) return leftAlone("it cannot be compared with the policy apply left");
    if (!sameObject(current, applied.leftAs)) return leftAlone("it was edited");
    return confirmUndo(
      action,
      options,
      () => patchAuthnPolicy(client, action.policyId, { disabled: true }),
      async () => (await readCurrent(client, action)) === true,
    );
  }
  const now = await readCurrent(client, action);
  if (now !== action.after) {
    if (applied.outcome === "unknown" && now === action.before)
      return { outcome: "nothing-to-undo", detail: "the write never landed" };
    return leftAlone(`it is ${JSON.stringify(now)} now`);
  }
  // Why: the old code skipped the write here and still said "restored", leaving the value set.
  if (action.before === null)
    return {
      outcome: "cannot-restore",
      detail: `${action.field} was not set before apply and no documented request unsets it (writing a default instead is not the same): left as apply set it (${JSON.stringify(action.after)})`,
    };
  const before = action.before;
  return confirmUndo(
    action,
    options,
    async () => {
      switch (action.kind) {
        case "admin-mfa":
          await updateAdmin(client, action.adminId, { enableMultiFactor: before as boolean });
          break;
        case "directory-insights":
          await setDirectoryInsights(client, action.orgId, before === true);
          break;
        case "system-flag":
          await updateSystem(client, action.systemId, { [action.flag]: before });
          break;
        case "radius-mfa":
          await setRadiusMfa(
            client,
            action.serverId,
            before as "DISABLED" | "ENABLED" | "REQUIRED" | "ALWAYS",
          );
          break;
      }
    },
    async () => (await readCurrent(client, action)) === before,
  );
}

/** Runs an undo write; an ambiguous failure is settled by re-reading with backoff, never by resending. */
async function confirmUndo(
  action: RemediationAction,
  options: ExecutorOptions,
  write: () => Promise<unknown>,
  restored: () => Promise<boolean>,
): Promise<Undone> {
  try {
    await write();
    return { outcome: "restored" };
  } catch (error) {
    if (!ambiguous(error))
      return { outcome: "failed", detail: `${action.description}: ${(error as Error).message}` };
  }
  let read = false;
  for (const delay of options.confirmDelaysMs) {
    await sleep(delay);
    try {
      if (await restored()) return { outcome: "restored" };
      read = true;
    } catch {
      read = false;
    }
  }
  return read
    ? {
        outcome: "failed",
        detail: "the undo write's outcome was unknown and re-reading shows it did not happen",
      }
    : { outcome: "unknown", detail: "the undo write's outcome is unknown and it could not be re-read" };
}

/** How long a re-read schedule waits, for messages. */
function duration(delays: readonly number[]): string {
  const ms = delays.reduce((a, b) => a + b, 0);
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/** Whole objects equal (key order aside): what rollback requires before it deletes or restores. */
export function sameObject(current: unknown, expected: unknown): boolean {
  return isDeepStrictEqual(plain(current), plain(expected));
}

/** Every field that was sent has the value sent: how a resource found by name is recognised as ours. */
function hasSent(current: unknown, sent: Record<string, unknown>): boolean {
  const found = plain(current);
  return (
    typeof found === "object" &&
    found !== null &&
    Object.entries(plain(sent)).every(([key, value]) =>
      isDeepStrictEqual((found as Record<string, unknown>)[key], value),
    )
  );
}

/** A JSON copy: drops undefined members, so objects built in code compare with objects read back. */
function plain<T>(value: T): T extends object ? Record<string, unknown> : unknown;
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** The object right after the write, read back (falls back to what was sent when it cannot be read). */
async function leftAs(
  client: JumpCloudClient,
  action: RemediationAction,
  id: string,
  expected: Record<string, unknown> | undefined,
): Promise<{ leftAs?: unknown; detail?: string }> {
  try {
    return { leftAs: plain(await readObject(client, action, id)) };
  } catch {
    return expected
      ? {
          leftAs: plain(expected),
          detail: "could not be read back after the write; rollback compares it with what was sent",
        }
      : {};
  }
}

async function readObject(client: JumpCloudClient, action: RemediationAction, id: string): Promise<unknown> {
  const path = action.kind === "create-ip-list" ? "/api/v2/iplists/" : "/api/v2/authn/policies/";
  return client.get<unknown>(`${path}${encodeURIComponent(id)}`);
}

function readPolicy(client: JumpCloudClient, policyId: string): Promise<AuthnPolicy> {
  return client.get<AuthnPolicy>(`/api/v2/authn/policies/${encodeURIComponent(policyId)}`);
}

/** Names of the authentication policies whose conditions name the list (deleting it would change them). */
async function policiesUsing(client: JumpCloudClient, listId: string): Promise<string[]> {
  const users: string[] = [];
  for await (const policy of listAuthnPolicies(client))
    if (JSON.stringify(policy.conditions ?? null).includes(JSON.stringify(listId)))
      users.push(policy.name ?? policy.id ?? "?");
  return users;
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

/**
 * Replaces `ref:<name>` in `ipAddressIn` lists by the ids of lists created earlier in the apply; with
 * `strict` false an unknown ref stays as it is (the comparison then fails, which is the safe answer).
 */
function resolveRefs(body: AuthnPolicy, refs: CreatedRefs, strict = true): AuthnPolicy {
  const resolve = (condition: AuthnCondition): AuthnCondition => {
    if ("ipAddressIn" in condition) {
      return {
        ipAddressIn: condition.ipAddressIn.map((id) => {
          if (!id.startsWith("ref:")) return id;
          const created = refs.get(id.slice(4));
          if (created) return created;
          if (!strict) return id;
          throw new RemediationError("WRITE_FAILED", `The policy refers to ${id}, which was not created`);
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
