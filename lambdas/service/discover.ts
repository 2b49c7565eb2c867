/**
 * Which organizations an audit function audits: the explicit `JC_ORG_IDS` list, or (with "all") every
 * organization the key sees, minus `JC_ORG_EXCLUDE`. Answers the fan-out's discovery step and refuses a
 * fan-out item for an organization the configuration leaves out.
 */
import { DiscoveryError, discoverOrganizations, MAX_ORGANIZATIONS } from "../engine/organizations.js";
import type { JumpCloudClient } from "../jumpcloud/client.js";
import type { Logger } from "../shared/logger.js";
import type { DiscoverEvent } from "./config.js";
import { assertEventTimeNear, InvalidEventError } from "./parse-event.js";

/** The organization settings of an audit function. */
export interface OrgSelection {
  /** "all": every organization the key sees; a list: exactly these; empty: the key's only organization. */
  orgIds: readonly string[] | "all";
  /** Never audited, even under "all". */
  excludeOrgIds?: readonly string[];
}

/** What discovery needs. */
export interface DiscoveryDependencies {
  /** A client without an organization (`/api/organizations` is answered without x-org-id). */
  clientFor(orgId: undefined): JumpCloudClient | Promise<JumpCloudClient>;
  logger: Logger;
  clock?: () => Date;
  settings: OrgSelection;
}

/** The discovery step's answer: the organizations to audit, sorted, with the execution's event id and time. */
export interface DiscoveryResult {
  orgIds: string[];
  eventId: string;
  time: string;
}

/**
 * The organizations to audit: the explicit list as given, in its order (an organization the key cannot see
 * ends as ERROR findings, not as a silent omission), or those the key sees (explicit list empty or "all"),
 * sorted, minus the exclusions. None, or more than 5,000, is a DiscoveryError.
 */
export async function organizationsToAudit(deps: DiscoveryDependencies): Promise<string[]> {
  const excluded = new Set((deps.settings.excludeOrgIds ?? []).map((id) => id.toLowerCase()));
  const { orgIds } = deps.settings;
  let chosen: string[];
  if (orgIds !== "all" && orgIds.length > 0) {
    // Ids keep their spelling (they name S3 keys already written); case variants count once.
    const seen = new Set<string>();
    chosen = orgIds.filter((id) => {
      const key = id.toLowerCase();
      if (excluded.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (chosen.length > MAX_ORGANIZATIONS)
      throw new DiscoveryError(
        "TOO_MANY_ORGANIZATIONS",
        `JC_ORG_IDS lists ${chosen.length} organizations; at most ${MAX_ORGANIZATIONS} are audited by one deployment`,
      );
  } else {
    const client = await deps.clientFor(undefined);
    const found = await discoverOrganizations(client, { exclude: [...excluded], max: MAX_ORGANIZATIONS });
    chosen = found.map((org) => org.orgId);
  }
  if (chosen.length === 0)
    throw new DiscoveryError(
      "NO_ORGANIZATION",
      excluded.size > 0
        ? "No organization is left to audit once JC_ORG_EXCLUDE is applied"
        : "The API key sees no organization",
    );
  return chosen;
}

/** Answers `{action: "discover"}`: the organizations the fan-out maps over. */
export async function runDiscovery(
  deps: DiscoveryDependencies,
  event: DiscoverEvent,
): Promise<DiscoveryResult> {
  assertEventTimeNear(event.time, (deps.clock ?? (() => new Date()))());
  const orgIds = [...(await organizationsToAudit(deps))].sort();
  deps.logger.info("Organizations discovered", { eventId: event.eventId, organizations: orgIds.length });
  return { orgIds, eventId: event.eventId, time: event.time };
}

/** Refuses a fan-out item whose organization the configuration leaves out (not listed, or excluded). */
export function assertOrgAudited(settings: OrgSelection, orgId: string): void {
  const id = orgId.toLowerCase();
  if ((settings.excludeOrgIds ?? []).some((x) => x.toLowerCase() === id))
    throw new InvalidEventError(`Invalid event: orgId: ${orgId} is excluded by JC_ORG_EXCLUDE`);
  const { orgIds } = settings;
  if (orgIds !== "all" && orgIds.length > 0 && !orgIds.some((x) => x.toLowerCase() === id))
    throw new InvalidEventError(
      `Invalid event: orgId: ${orgId} is not one of the configured organizations (JC_ORG_IDS)`,
    );
}
