/** 5.1 Enable Directory Insights: the feature is on and the audit log actually receives events. */
import { defineControl, isolateCheck, type ResourceResult, result } from "./types.js";
import {
  describeReading,
  fieldsOf,
  type Reading,
  readBoolean,
  readNumber,
  readObject,
  readString,
  textOf,
} from "./values.js";

/*
 * Organization settings and activity counts are read through values.ts. A setting not reported gives
 * MANUAL (a human can look in Settings → Directory Insights); one of another type, or a count that is not
 * a count, gives ERROR. Neither is a PASS, nor a FAIL as if it were false.
 */

const ENABLED_PATH = "settings.features.directoryInsights.enabled";

/** `settings.features.directoryInsights.enabled` as read, or the first step of the path that was not an object/boolean. */
function readEnabled(organization: unknown): { path: string; reading: Reading<boolean> } {
  let node: unknown = organization;
  let path = "";
  for (const key of ["settings", "features", "directoryInsights"]) {
    const record = readObject(node);
    if (record.state !== "value") return { path: path || "organization", reading: record as Reading<never> };
    node = record.value[key];
    path = path ? `${path}.${key}` : key;
  }
  const object = readObject(node);
  if (object.state !== "value") return { path, reading: object as Reading<never> };
  return { path: ENABLED_PATH, reading: readBoolean(object.value.enabled) };
}

function orgResource(organization: unknown): { type: string; id: string; name: string } {
  const fields = fieldsOf(organization) ?? {};
  const id = textOf(fields._id, "(organization)");
  return { type: "organization", id, name: textOf(fields.displayName, id) };
}

/** A count of events: a whole number, never negative. */
function readCount(raw: unknown): Reading<number> {
  const count = readNumber(raw);
  if (count.state === "value" && !(Number.isInteger(count.value) && count.value >= 0))
    return { state: "invalid", raw, expected: "a whole number of events" };
  return count;
}

/** 5.1 */
export const directoryInsights = defineControl({
  id: "5.1",
  title: "Enable Directory Insights",
  section: "Monitoring & Detection",
  level: "L1",
  severity: "high",
  mappings: { cis: ["8.2"], nist: ["AU-2", "AU-6"], soc2: ["CC7.2"] },
  plans: {
    availability:
      "All plans: basic Directory Insights exists on every plan, keeping 15 days of events on Free and Core and 90 on Platform (the guide's Appendix A describes the full feature); the window is capped by the declared plan's retention",
    requires: "directoryInsights",
  },
  rationale:
    "Directory Insights is the audit log of admin actions, authentication and system events; without it incidents go unseen.",
  manualSteps: [
    "Reports → Directory Insights: review admin, user authentication, system and SSO events",
    "Settings → Directory Insights: configure SIEM export (AWS S3, Azure Blob Storage, webhook) and the retention period",
  ],
  checks: [
    "Organization setting `features.directoryInsights.enabled` is on",
    "The audit log is not silent: Directory Insights returns at least one event (any service) over the last `activityWindowHours` hours",
  ],
  thresholds: {
    activityWindowHours: {
      default: 24,
      description:
        "Hours of Directory Insights events counted; no event at all in this window means the audit log is silent",
      source:
        "project default: an organization in use records logins and agent check-ins every day, so a day without any event means events are not arriving; at most Directory Insights' 90-day retention",
      min: 1,
      max: 2160,
    },
  },
  needs: ["organization", "insightsActivity"],
  remediation: {
    automated: "yes",
    description:
      "Sets `settings.features.directoryInsights.enabled: true` (PUT /api/organizations/{id}, reading the settings first and writing them back whole). A silent audit log is not fixed automatically: check the plan and the Directory Insights settings, then configure SIEM export and retention in Settings → Directory Insights.",
    plan({ organization }) {
      const { path, reading } = readEnabled(organization);
      if (reading.state === "value" && reading.value) return { actions: [], warnings: [] };
      const orgId = readString(fieldsOf(organization)?._id);
      // Never plan from a value that was not read: a setting of another type, or no id to write to. A setting
      // not reported at all is still planned: enabling writes it whatever it was.
      if (reading.state === "invalid" || orgId.state !== "value" || orgId.value === "") {
        return {
          actions: [],
          warnings: [
            `Not planned: ${reading.state === "invalid" ? `${path} is ${describeReading(reading)}` : `the organization's _id is ${describeReading(orgId)}`}; enable Directory Insights by hand in Settings → Directory Insights.`,
          ],
        };
      }
      const resource = orgResource(organization);
      return {
        actions: [
          {
            kind: "directory-insights",
            id: "5.1:organization:directoryInsights",
            controlId: "5.1",
            resource: { type: "organization", id: orgId.value, name: resource.name },
            field: ENABLED_PATH,
            orgId: orgId.value,
            before: reading.state === "value" ? reading.value : null,
            after: true,
            description:
              "Enable Directory Insights (read-modify-write of settings.features, keeping every other setting)",
          },
        ],
        warnings: [],
      };
    },
  },
  audit({ organization, insightsActivity }) {
    const org = orgResource(organization);
    const { path, reading: enabled } = readEnabled(organization);
    const activity = readObject(insightsActivity);
    const fields = fieldsOf(insightsActivity) ?? {};
    const count = activity.state === "value" ? readCount(fields.eventCount) : activity;
    const windowHours = readNumber(fields.windowHours);
    // The collector caps the window by the plan's retention and says so (our own data, not the API's).
    const cap = insightsActivity.cappedBy
      ? ` (capped from ${insightsActivity.cappedBy.requestedHours} h by the ${insightsActivity.cappedBy.plan} plan's ${insightsActivity.cappedBy.retentionDays}-day retention)`
      : "";
    const hours = windowHours.state === "value" ? `${windowHours.value} h${cap}` : "the activity window";
    const start = textOf(fields.start, "(unknown start)");
    const end = textOf(fields.end, "(unknown end)");

    const enabledCheck = (): ResourceResult[] => {
      if (enabled.state === "value")
        return [
          enabled.value
            ? result("PASS", org, "directory-insights-enabled", "Directory Insights is enabled", {
                observed: true,
                expected: true,
              })
            : result(
                "FAIL",
                org,
                "directory-insights-enabled",
                "Directory Insights is disabled in the organization settings",
                { observed: false, expected: true },
              ),
        ];
      return [
        enabled.state === "absent"
          ? result(
              "MANUAL",
              org,
              "directory-insights-enabled",
              "The API did not report features.directoryInsights.enabled; check Settings → Directory Insights",
              { observed: null, expected: true },
            )
          : result(
              "ERROR",
              org,
              "directory-insights-enabled",
              `Whether Directory Insights is enabled could not be read: ${path} is ${describeReading(enabled)}; check Settings → Directory Insights`,
              { observed: null, expected: true },
            ),
      ];
    };

    const activityCheck = (): ResourceResult[] => {
      if (count.state !== "value")
        return [
          result(
            "ERROR",
            org,
            "event-activity",
            `The Directory Insights event count could not be read: ${activity.state === "value" ? "eventCount" : "the activity data"} is ${describeReading(count)}`,
            { observed: null, expected: "at least 1" },
          ),
        ];
      const eventCount = count.value;
      const measure = { value: eventCount, unit: "events", worseWhen: "lower" as const };
      return [
        eventCount > 0
          ? result(
              "PASS",
              org,
              "event-activity",
              `${eventCount} event${eventCount === 1 ? "" : "s"} recorded in the last ${hours}`,
              { observed: eventCount, expected: "at least 1", measure },
            )
          : result(
              "FAIL",
              org,
              "event-activity",
              `Audit log silent: no Directory Insights event between ${start} and ${end} (${hours})`,
              { observed: 0, expected: "at least 1", measure },
            ),
      ];
    };

    const results = [
      ...isolateCheck("directory-insights-enabled", enabledCheck),
      ...isolateCheck("event-activity", activityCheck),
    ];
    const state =
      enabled.state === "value"
        ? enabled.value
          ? "enabled"
          : "disabled"
        : enabled.state === "absent"
          ? "not reported"
          : `unreadable (${path} is ${describeReading(enabled)})`;
    const recorded =
      count.state === "value"
        ? `recorded ${count.value} event${count.value === 1 ? "" : "s"} in the last ${hours} (expected at least one${count.value === 0 ? ": the audit log is silent" : ""})`
        : `its event count could not be read (${describeReading(count)}; expected at least one event in ${hours})`;
    return {
      results,
      summary: `Directory Insights is ${state} (expected enabled) and ${recorded}.`,
      evidence: {
        enabled: enabled.state === "value" ? enabled.value : null,
        window: {
          hours: windowHours.state === "value" ? windowHours.value : null,
          start,
          end,
          ...(insightsActivity.cappedBy ? { cappedBy: insightsActivity.cappedBy } : {}),
        },
        eventCount: count.state === "value" ? count.value : null,
      },
    };
  },
});
