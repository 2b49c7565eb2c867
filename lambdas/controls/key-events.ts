/**
 * 5.2 Key Events to Monitor: the six event classes of the guide's table counted over a window
 * (lambdas/collect/key-events.ts maps them to documented Directory Insights event types). The counts
 * are evidence for reviewers; the control fails only where a class crosses a configurable threshold.
 */
import { KEY_EVENT_CLASSES } from "../collect/key-events.js";
import type { KeyEventClass } from "../collect/snapshot.js";
import { defineControl, type ResourceResult, result } from "./types.js";

/** Stable check name per class. */
const CHECKS: Record<KeyEventClass, string> = {
  adminLogins: "failed-admin-logins",
  adminChanges: "admin-changes",
  mfaDisable: "mfa-disable",
  failedAuthentication: "failed-authentication",
  newDevices: "new-devices",
  policyChanges: "policy-changes",
};

/** `1 event`, `2 events`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** 5.2 */
export const keyEvents = defineControl({
  id: "5.2",
  title: "Key Events to Monitor",
  section: "Monitoring & Detection",
  level: "L1",
  severity: "medium",
  mappings: { cis: [], nist: [], soc2: [] },
  metadataNote:
    "The guide gives 5.2 no profile level and no framework mappings; it is listed as L1 with section 5 and mapped to nothing.",
  plans: {
    availability:
      "All plans: basic Directory Insights exists on every plan, keeping 15 days of events on Free and Core and 90 on Platform (the guide's Appendix A describes the full feature); the window is capped by the declared plan's retention",
    requires: "directoryInsights",
  },
  rationale:
    "The guide's table of key events (admin logins, admin changes, MFA bypass, failed authentication, new device enrollment, policy changes) are the detections that catch attacks and drift between audits.",
  manualSteps: [
    "Monitor admin logins for unauthorized admin access",
    "Monitor admin changes for policy modifications",
    "Monitor MFA bypass for security control circumvention",
    "Monitor failed authentication for brute-force attempts",
    "Monitor new device enrollment for unauthorized devices",
    "Monitor policy changes for configuration drift",
  ],
  checks: [
    "Counts the six event classes of the guide's table (admin logins, admin changes, MFA disabled or bypassed, failed authentication, new device enrollment, policy changes) over the last `windowHours` hours and reports them, with failed admin logins by source address",
    "Failed admin logins (`admin_login_attempt` with `success: false`) in the window are at most `maxFailedAdminLogins`",
    "Failed authentications in the window are at most `maxFailedAuthentications`, counted as JumpCloud records them: User Portal, device and LDAP logins and RADIUS attempts (`radius_auth_attempt`, `radius_auth`) with `success: false`, and SSO logins (`sso_auth`) with `sso_token_success: false`; the finding breaks the count down by kind",
    "MFA disable events (`admin_totp_disable`, `totp_delete_enrollment`) in the window are at most `maxMfaDisableEvents`",
  ],
  thresholds: {
    windowHours: {
      default: 24,
      description: "Hours of Directory Insights events counted per class",
      source:
        "project default: a daily review, matching the daily audit schedule; at most Directory Insights' 90-day retention",
      min: 1,
      max: 2160,
    },
    maxFailedAdminLogins: {
      default: 5,
      description: "Most failed Admin Portal logins accepted in the window, all source addresses together",
      source:
        "project default: a few mistyped passwords a day are normal for an admin team; more than 5 suggests password guessing against the most powerful accounts (guide 5.2: admin login → unauthorized admin access)",
      min: 0,
    },
    maxFailedAuthentications: {
      default: 100,
      description:
        "Most failed user, device, SSO, RADIUS and LDAP authentications accepted in the window, organization-wide",
      source:
        "project default: NIST SP 800-63B §5.2.2 allows at most 100 consecutive failed attempts on one account; used here as an organization-wide brute-force tripwire (raise it for large organizations)",
      min: 0,
    },
    maxMfaDisableEvents: {
      default: 0,
      description:
        "Most MFA disable events (admin TOTP disabled, user TOTP enrollment deleted) accepted in the window",
      source:
        "project default: each removal of a second factor is a possible control circumvention to review (guide 5.2: MFA bypass); raise it if re-enrollments are routine",
      min: 0,
    },
  },
  needs: ["keyEvents"],
  remediation: {
    automated: "no",
    description:
      "Reports → Directory Insights: review the events of each class (filter on their event types), investigate failed admin logins by source address and every MFA disable, and export these event types to a SIEM with alerts (Settings → Directory Insights: S3, Azure Blob Storage or webhook).",
  },
  audit({ keyEvents: data }, { maxFailedAdminLogins, maxFailedAuthentications, maxMfaDisableEvents }) {
    const results: ResourceResult[] = [];
    const window = `in the last ${data.windowHours} h`;
    const cap = data.cappedBy
      ? ` (capped from ${data.cappedBy.requestedHours} h by the ${data.cappedBy.plan} plan's ${data.cappedBy.retentionDays}-day retention)`
      : "";
    const byIp = Object.entries(data.failedAdminLoginsByIp).sort(
      ([a, x], [b, y]) => y - x || a.localeCompare(b),
    );
    const limits: Partial<Record<KeyEventClass, { observed: number; max: number; what: string }>> = {
      adminLogins: {
        observed: data.failedAdminLogins,
        max: maxFailedAdminLogins,
        what: "failed admin login",
      },
      failedAuthentication: {
        observed: data.classes.failedAuthentication.count,
        max: maxFailedAuthentications,
        what: "failed authentication",
      },
      mfaDisable: {
        observed: data.classes.mfaDisable.count,
        max: maxMfaDisableEvents,
        what: "MFA disable event",
      },
    };
    for (const name of Object.keys(KEY_EVENT_CLASSES) as KeyEventClass[]) {
      const { label } = KEY_EVENT_CLASSES[name];
      const { count: events, eventTypes, breakdown } = data.classes[name];
      const resource = { type: "event-class", id: name, name: label };
      const limit = limits[name];
      if (!limit) {
        results.push(
          result(
            "PASS",
            resource,
            CHECKS[name],
            `${count(events, "event")} ${window} (${eventTypes.join(", ")}), reported for review (no threshold)`,
            { observed: events, measure: { value: events, unit: "events", worseWhen: "higher" } },
          ),
        );
        continue;
      }
      const detail =
        name === "adminLogins"
          ? `${count(events, "admin login attempt")} ${window}, ${data.failedAdminLogins} failed` +
            (byIp.length ? ` (by source address: ${byIp.map(([ip, n]) => `${ip}: ${n}`).join(", ")})` : "")
          : `${count(limit.observed, limit.what)} ${window} (${
              breakdown
                ? Object.entries(breakdown)
                    .map(([kind, n]) => `${kind} ${n}`)
                    .join(", ")
                : eventTypes.join(", ")
            })`;
      const ok = limit.observed <= limit.max;
      results.push(
        result(ok ? "PASS" : "FAIL", resource, CHECKS[name], `${detail}; at most ${limit.max} accepted`, {
          observed: limit.observed,
          expected: `≤ ${limit.max}`,
          measure: { value: limit.observed, unit: "events", worseWhen: "higher" },
        }),
      );
    }
    const failing = results.filter((r) => r.status === "FAIL").map((r) => r.resourceName);
    const { classes } = data;
    return {
      results,
      summary:
        `Over the last ${data.windowHours} h${cap}: ${count(data.failedAdminLogins, "failed admin login")} (at most ${maxFailedAdminLogins}), ` +
        `${count(classes.failedAuthentication.count, "failed authentication")} (at most ${maxFailedAuthentications}), ` +
        `${count(classes.mfaDisable.count, "MFA disable event")} (at most ${maxMfaDisableEvents}), ` +
        `${count(classes.adminLogins.count, "admin login")}, ${count(classes.adminChanges.count, "admin change")}, ` +
        `${count(classes.newDevices.count, "new device")} and ${count(classes.policyChanges.count, "policy change")}` +
        `${failing.length ? `; over threshold: ${failing.join(", ")}` : ""}.`,
      evidence: {
        window: {
          hours: data.windowHours,
          start: data.start,
          end: data.end,
          ...(data.cappedBy ? { cappedBy: data.cappedBy } : {}),
        },
        failedAuthenticationByKind: data.classes.failedAuthentication.breakdown ?? {},
        counts: Object.fromEntries(
          (Object.keys(KEY_EVENT_CLASSES) as KeyEventClass[]).map((name) => [name, classes[name].count]),
        ),
        eventTypes: Object.fromEntries(
          (Object.keys(KEY_EVENT_CLASSES) as KeyEventClass[]).map((name) => [name, classes[name].eventTypes]),
        ),
        failedAdminLogins: data.failedAdminLogins,
        failedAdminLoginsByIp: Object.fromEntries(byIp),
      },
    };
  },
});
