/** 5.1 Enable Directory Insights: the feature is on and the audit log actually receives events. */
import { defineControl, type ResourceResult, result } from "./types.js";

/** 5.1 */
export const directoryInsights = defineControl({
  id: "5.1",
  title: "Enable Directory Insights",
  section: "Monitoring & Detection",
  level: "L1",
  severity: "high",
  mappings: { cis: ["8.2"], nist: ["AU-2", "AU-6"], soc2: ["CC7.2"] },
  plans: {
    availability: "Platform and Platform Plus (Appendix A: Directory Insights)",
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
        "project default: an organization in use records logins and agent check-ins every day, so a day without any event means events are not arriving; at most the 90-day retention (notes §9)",
      min: 1,
      max: 2160,
    },
  },
  needs: ["organization", "insightsActivity"],
  remediation: {
    automated: "yes",
    description:
      "Sets `settings.features.directoryInsights.enabled: true` (PUT /api/organizations/{id}, reading the settings first and writing them back whole, notes §10.6). A silent audit log is not fixed automatically: check the plan and the Directory Insights settings, then configure SIEM export and retention in Settings → Directory Insights.",
    plan({ organization }) {
      const enabled = organization.settings?.features?.directoryInsights?.enabled;
      if (enabled === true) return { actions: [], warnings: [] };
      return {
        actions: [
          {
            kind: "directory-insights",
            id: "5.1:organization:directoryInsights",
            controlId: "5.1",
            resource: {
              type: "organization",
              id: organization._id,
              name: organization.displayName ?? organization._id,
            },
            field: "settings.features.directoryInsights.enabled",
            orgId: organization._id,
            before: enabled ?? null,
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
    const results: ResourceResult[] = [];
    const org = {
      type: "organization",
      id: organization._id,
      name: organization.displayName ?? organization._id,
    };
    const enabled = organization.settings?.features?.directoryInsights?.enabled;
    if (enabled === true) {
      results.push(
        result("PASS", org, "directory-insights-enabled", "Directory Insights is enabled", {
          observed: true,
          expected: true,
        }),
      );
    } else if (enabled === false) {
      results.push(
        result(
          "FAIL",
          org,
          "directory-insights-enabled",
          "Directory Insights is disabled in the organization settings",
          { observed: false, expected: true },
        ),
      );
    } else {
      results.push(
        result(
          "MANUAL",
          org,
          "directory-insights-enabled",
          "The API did not report features.directoryInsights.enabled; check Settings → Directory Insights",
          { observed: null, expected: true },
        ),
      );
    }

    const { eventCount, windowHours, start, end } = insightsActivity;
    const measure = { value: eventCount, unit: "events", worseWhen: "lower" as const };
    results.push(
      eventCount > 0
        ? result(
            "PASS",
            org,
            "event-activity",
            `${eventCount} event${eventCount === 1 ? "" : "s"} recorded in the last ${windowHours} h`,
            { observed: eventCount, expected: "at least 1", measure },
          )
        : result(
            "FAIL",
            org,
            "event-activity",
            `Audit log silent: no Directory Insights event between ${start} and ${end} (${windowHours} h)`,
            { observed: 0, expected: "at least 1", measure },
          ),
    );
    const state = enabled === true ? "enabled" : enabled === false ? "disabled" : "not reported";
    return {
      results,
      summary: `Directory Insights is ${state} (expected enabled) and recorded ${eventCount} event${eventCount === 1 ? "" : "s"} in the last ${windowHours} h (expected at least one${eventCount === 0 ? ": the audit log is silent" : ""}).`,
      evidence: { enabled: enabled ?? null, window: { hours: windowHours, start, end }, eventCount },
    };
  },
});
