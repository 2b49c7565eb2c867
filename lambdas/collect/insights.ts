/**
 * Directory Insights collectors (5.1 activity, 5.2 key events). Every window is capped by the plan's
 * retention: basic Directory Insights exists on every plan, the lowest keeps 15 days of events (§12.4),
 * so asking for more would silently count fewer days than the finding claims.
 */
import type { JumpCloudClient } from "../jumpcloud/client.js";
import { countEvents, searchEvents } from "../jumpcloud/resources.js";
import type { EventQuery, SearchClause } from "../jumpcloud/types.js";
import { CollectError } from "./errors.js";
import { FAILED_ADMIN_LOGINS, KEY_EVENT_CLASSES } from "./key-events.js";
import type { InsightsActivity, InsightsWindow, KeyEventClass, KeyEvents } from "./snapshot.js";

/** How long the organization's plan keeps Directory Insights events, when the plan is known. */
export interface InsightsRetention {
  readonly days: number;
  /** Plan name for messages, e.g. "Free". */
  readonly plan: string;
}

/** The window ending `now`, `hours` long unless the retention is shorter. */
export function insightsWindow(now: Date, hours: number, retention?: InsightsRetention): InsightsWindow {
  const retentionHours = retention ? retention.days * 24 : Number.POSITIVE_INFINITY;
  const windowHours = Math.min(hours, retentionHours);
  return {
    windowHours,
    start: new Date(now.getTime() - windowHours * 3_600_000).toISOString(),
    end: now.toISOString(),
    ...(retention && hours > retentionHours
      ? { cappedBy: { requestedHours: hours, retentionDays: retention.days, plan: retention.plan } }
      : {}),
  };
}

/** 5.1: how many events of any service the window holds. */
export async function collectInsightsActivity(
  client: JumpCloudClient,
  window: InsightsWindow,
): Promise<InsightsActivity> {
  const eventCount = await countEvents(client, {
    service: ["all"],
    start_time: window.start,
    end_time: window.end,
  });
  return { ...window, eventCount };
}

/** 5.2: each class counted; failed admin logins listed by source address and checked against their count. */
export async function collectKeyEvents(client: JumpCloudClient, window: InsightsWindow): Promise<KeyEvents> {
  const query = (where: readonly SearchClause[]): EventQuery => ({
    service: ["all"],
    start_time: window.start,
    end_time: window.end,
    search_term: { and: [...where] },
  });
  const classes = Object.fromEntries(
    await Promise.all(
      (Object.keys(KEY_EVENT_CLASSES) as KeyEventClass[]).map(async (name) => {
        const definition = KEY_EVENT_CLASSES[name];
        const parts = await Promise.all(
          definition.queries.map(
            async (part) =>
              [
                part.label,
                await countEvents(client, query([{ event_type: [...part.eventTypes] }, ...part.where])),
              ] as const,
          ),
        );
        const count = parts.reduce((sum, [, n]) => sum + n, 0);
        return [
          name,
          {
            count,
            eventTypes: [...definition.eventTypes],
            ...(parts.length > 1 ? { breakdown: Object.fromEntries(parts) } : {}),
          },
        ] as const;
      }),
    ),
  ) as KeyEvents["classes"];

  // Counted and listed separately: when they disagree (events arriving while we read), read once more.
  let listed = await failedAdminLoginsByIp(client, query(FAILED_ADMIN_LOGINS));
  let counted = await countEvents(client, query(FAILED_ADMIN_LOGINS));
  if (listed.total !== counted) {
    listed = await failedAdminLoginsByIp(client, query(FAILED_ADMIN_LOGINS));
    counted = await countEvents(client, query(FAILED_ADMIN_LOGINS));
  }
  if (listed.total !== counted) {
    throw new CollectError(
      "INCONSISTENT_EVENTS",
      `Directory Insights counted ${counted} failed admin logins but listed ${listed.total} (read twice); the window cannot be judged`,
    );
  }
  return { ...window, classes, failedAdminLogins: listed.total, failedAdminLoginsByIp: listed.byIp };
}

async function failedAdminLoginsByIp(
  client: JumpCloudClient,
  query: EventQuery,
): Promise<{ total: number; byIp: Record<string, number> }> {
  const byIp: Record<string, number> = {};
  let total = 0;
  for await (const event of searchEvents(client, { ...query, fields: ["client_ip"] })) {
    total += 1;
    const ip =
      typeof event.client_ip === "string" && event.client_ip !== "" ? event.client_ip : "not reported";
    byIp[ip] = (byIp[ip] ?? 0) + 1;
  }
  return { total, byIp };
}
