/**
 * Discovery of the organizations a multi-tenant (MSP) key sees: `GET /api/organizations`, paged and
 * proven complete by the paginator (a short, empty, repeated or lying page is INCOMPLETE_COLLECTION,
 * never a silently shorter portfolio), every id checked, the include/exclude lists applied, sorted.
 */
import type { JumpCloudClient } from "../jumpcloud/client.js";
import { JumpCloudError } from "../jumpcloud/errors.js";
import { listOrganizations } from "../jumpcloud/resources.js";

/** Most organizations one deployment audits (the fan-out's items and the report's event are sized for it). */
export const MAX_ORGANIZATIONS = 5000;

const ORG_ID = /^[0-9a-f]{24}$/i;

/** Why discovery refused to answer. */
export type DiscoveryErrorCode = "TOO_MANY_ORGANIZATIONS" | "NO_ORGANIZATION";

/** Discovery found more organizations than allowed, or none to audit. */
export class DiscoveryError extends Error {
  override readonly name = "DiscoveryError";
  constructor(
    readonly code: DiscoveryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** An organization the key sees. */
export interface DiscoveredOrganization {
  orgId: string;
  /** Display name as JumpCloud sent it: shown only after sanitizing, never judged. */
  name?: string;
}

/** What to keep of what the key sees. */
export interface DiscoveryOptions {
  /** Only these (when given); ids the key does not see are left out (callers that must keep them do). */
  include?: readonly string[];
  /** Never these. */
  exclude?: readonly string[];
  /** Most organizations accepted (after filtering); more is a DiscoveryError. @default 5000 */
  max?: number;
}

/** Lists the organizations the key sees, filtered, sorted by id (case-insensitively); throws rather than truncate. */
export async function discoverOrganizations(
  client: JumpCloudClient,
  options: DiscoveryOptions = {},
): Promise<DiscoveredOrganization[]> {
  const max = options.max ?? MAX_ORGANIZATIONS;
  const include = options.include ? new Set(options.include.map((id) => id.toLowerCase())) : undefined;
  const exclude = new Set((options.exclude ?? []).map((id) => id.toLowerCase()));
  const found = new Map<string, DiscoveredOrganization>();
  let read = 0;
  for await (const org of listOrganizations(client, ["displayName"])) {
    read += 1;
    const raw: unknown = org?._id;
    if (typeof raw !== "string" || !ORG_ID.test(raw)) {
      // The id becomes an x-org-id header, an S3 key and a state-machine item: only the documented shape.
      throw new JumpCloudError(
        "MALFORMED_RESPONSE",
        `An organization id is not 24 hexadecimal characters (item ${read} of the list)`,
        { method: "GET", path: "/api/organizations" },
      );
    }
    // Case variants of one id are one organization (the paginator compares ids exactly).
    const key = raw.toLowerCase();
    if (exclude.has(key) || (include && !include.has(key)) || found.has(key)) continue;
    found.set(key, {
      orgId: raw,
      ...(typeof org.displayName === "string" && org.displayName !== "" ? { name: org.displayName } : {}),
    });
    if (found.size > max) {
      throw new DiscoveryError(
        "TOO_MANY_ORGANIZATIONS",
        `The API key sees more than ${max} organizations to audit; narrow them with an explicit list or exclusions`,
      );
    }
  }
  return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, org]) => org);
}
