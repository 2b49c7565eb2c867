/**
 * `free` and `core`: the demo organization on plans without Conditional Access or Directory Insights
 * (hardening guide, Appendix A). How the real API refuses those features on such plans is not documented;
 * the simulator's status codes for it are assumptions, listed in sim/README.md.
 */
import type { Plan, Scenario } from "../scenario.js";
import { demoScenario } from "./demo.js";

/** Whether a plan includes Conditional Access (authentication policies). Appendix A: Platform and up. */
export function planHasConditionalAccess(plan: Plan): boolean {
  return plan === "platform" || plan === "platform_plus";
}

/** Whether a plan includes Directory Insights. Appendix A: Platform and up. */
export function planHasDirectoryInsights(plan: Plan): boolean {
  return plan === "platform" || plan === "platform_plus";
}

/** The demo organization on a Free (at most 10 users with MFA) or Core plan. */
export function plannedScenario(now: Date, plan: "free" | "core"): Scenario {
  const scenario = demoScenario(now);
  const org = scenario.organizations[0];
  if (!org) throw new Error("demo preset has no organization");
  org.authnPolicies = [];
  org.ipLists = [];
  org.events = [];
  const features = (org.organization.settings as { features: { directoryInsights: { enabled: boolean } } })
    .features;
  features.directoryInsights.enabled = false;
  if (plan === "free") org.systemUsers = org.systemUsers.slice(0, 10);
  return { ...scenario, name: plan, plan, description: `Demo organization on the ${plan} plan` };
}
