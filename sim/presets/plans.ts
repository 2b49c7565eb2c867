/**
 * `free` and `core`: the demo organization on plans without Conditional Access (hardening guide,
 * Appendix A). Basic Directory Insights exists on every plan, with 15 days of events on the lowest
 * (notes §12.4). How the real API refuses Conditional Access on such plans is not documented; the
 * simulator's status codes for it are assumptions, listed in sim/README.md.
 */
import type { Plan, Scenario } from "../scenario.js";
import { demoScenario } from "./demo.js";

/** Whether a plan includes Conditional Access (authentication policies). Appendix A: Platform and up. */
export function planHasConditionalAccess(plan: Plan): boolean {
  return plan === "platform" || plan === "platform_plus";
}

/**
 * Days of Directory Insights events a plan keeps: 15 on Free and Core (ELASTIC README: "at most 15 days"
 * on the lowest subscription; that Core is "the lowest" too is an assumption), 90 on paid plans (PS-DI).
 */
export function planInsightsRetentionDays(plan: Plan): number {
  return plan === "free" || plan === "core" ? 15 : 90;
}

/** The demo organization on a Free (at most 10 users with MFA) or Core plan. */
export function plannedScenario(now: Date, plan: "free" | "core"): Scenario {
  const scenario = demoScenario(now);
  const org = scenario.organizations[0];
  if (!org) throw new Error("demo preset has no organization");
  org.authnPolicies = [];
  org.ipLists = [];
  if (plan === "free") org.systemUsers = org.systemUsers.slice(0, 10);
  return { ...scenario, name: plan, plan, description: `Demo organization on the ${plan} plan` };
}
