import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Doc } from "./query.js";

/** JumpCloud plans (hardening guide, Appendix A). */
export const PLANS = ["free", "core", "platform", "platform_plus"] as const;
/** A JumpCloud plan. */
export type Plan = (typeof PLANS)[number];

/** Every collection the simulator serves for one organization. */
export interface OrgData {
  /** `GET /api/organizations/{id}` document, settings included. */
  organization: Doc;
  admins: Doc[];
  systemUsers: Doc[];
  systems: Doc[];
  radiusServers: Doc[];
  authnPolicies: Doc[];
  ipLists: Doc[];
  /** Policies `{id, name, notes, template, values}`; `configFields` come from the template unless stored here. */
  policies: Doc[];
  /** `PolicyResult` documents, linked by `policyID`. */
  policyStatuses: Doc[];
  /** `PolicyTemplateWithDetails` documents (with `configFields`, shown by the detail route only). */
  policyTemplates: Doc[];
  ldapServers: Doc[];
  /** Directory Insights events. */
  events: Doc[];
}

/** A whole simulated tenant: one organization, or several for a multi-tenant (MSP) admin key. */
export interface Scenario {
  name: string;
  description?: string;
  plan: Plan;
  /** The admin API key the simulator accepts. */
  apiKey: string;
  /**
   * `GET /api/v2/policies/{id}` answers without `configFields` (the real API's behaviour is unknown,
   * notes §12.1), so clients must read them from `GET /api/v2/policytemplates/{id}`. @default false
   */
  omitPolicyConfigFields?: boolean;
  organizations: OrgData[];
}

/** The key the simulator accepts unless a scenario names another. Not a secret. */
export const DEFAULT_SIM_API_KEY = "sim-api-key-0123456789abcdef";

const docs = z.array(z.record(z.string(), z.unknown())).default([]);
const withId = (key: "_id" | "id") =>
  z
    .array(z.looseObject({ [key]: z.string().regex(/^[0-9a-f]{24}$/i, `${key} must be 24 hex digits`) }))
    .default([]);

const orgSchema = z.object({
  organization: z.looseObject({ _id: z.string().regex(/^[0-9a-f]{24}$/i, "_id must be 24 hex digits") }),
  admins: withId("_id"),
  systemUsers: withId("_id"),
  systems: withId("_id"),
  radiusServers: withId("_id"),
  authnPolicies: withId("id"),
  ipLists: withId("id"),
  policies: withId("id"),
  policyStatuses: docs,
  policyTemplates: withId("id"),
  ldapServers: withId("id"),
  events: docs,
});

const scenarioSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  plan: z.enum(PLANS).default("platform"),
  apiKey: z.string().min(8).default(DEFAULT_SIM_API_KEY),
  omitPolicyConfigFields: z.boolean().optional(),
  organizations: z.array(orgSchema).min(1, "a scenario needs at least one organization"),
});

/** Validates a scenario object (e.g. parsed from JSON), naming the first problem found. */
export function parseScenario(input: unknown, source = "scenario"): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "(root)";
    throw new Error(`Invalid ${source}: ${where}: ${issue?.message}`);
  }
  return result.data as Scenario;
}

/** Loads and validates a scenario JSON file. */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`Cannot read scenario file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`Scenario file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseScenario(json, `scenario file ${path}`);
}

/** An organization with every collection empty. */
export function emptyOrg(organization: Doc): OrgData {
  return {
    organization,
    admins: [],
    systemUsers: [],
    systems: [],
    radiusServers: [],
    authnPolicies: [],
    ipLists: [],
    policies: [],
    policyStatuses: [],
    policyTemplates: [],
    ldapServers: [],
    events: [],
  };
}
