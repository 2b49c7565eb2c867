/** v2 routes (`/api/v2/...`): authentication policies, IP lists, device policies, templates, LDAP (notes §5–8). */
import { randomBytes } from "node:crypto";
import { findById, HttpError, ok, type Route, type SimContext } from "../http.js";
import { templateSummary } from "../presets/builders.js";
import { planHasConditionalAccess } from "../presets/plans.js";
import type { Doc } from "../query.js";
import { projectOne, v2List } from "./lists.js";

/** The v2 routes. */
export const v2Routes: Route[] = [
  ...crudRoutes("/api/v2/authn/policies", "Authentication policy", (ctx) => gated(ctx).authnPolicies, {
    put: false,
  }),
  ...crudRoutes("/api/v2/iplists", "IP list", (ctx) => gated(ctx).ipLists, { put: true }),
  {
    method: "GET",
    path: "/api/v2/policies",
    // List items are `Policy` = {id, name, template}: no values (notes §7).
    handler: (ctx) =>
      v2List(
        ctx,
        ctx.org.policies.map(({ id, name, template }) => ({
          id,
          name,
          template: templateSummary(template as Doc),
        })),
      ),
  },
  {
    method: "POST",
    path: "/api/v2/policies",
    handler: (ctx) => {
      ctx.validateBody();
      const body = ctx.body as { name: string; notes?: string; template: { id: string }; values?: Doc[] };
      const template = findById(ctx.org.policyTemplates, "id", body.template.id, "Policy template");
      const created = {
        id: newId(),
        name: body.name,
        notes: body.notes ?? "",
        template: templateSummary(template),
        values: body.values ?? [],
      };
      ctx.org.policies.push(created);
      return ok(policyDetails(ctx, created), 201);
    },
  },
  {
    method: "GET",
    path: "/api/v2/policies/:id",
    handler: (ctx) => ok(projectOne(ctx, policyDetails(ctx, policy(ctx)), "v2", "id")),
  },
  {
    method: "PUT",
    path: "/api/v2/policies/:id",
    handler: (ctx) => {
      const stored = policy(ctx);
      ctx.validateBody();
      const body = ctx.body as { name: string; notes?: string; values?: Doc[] };
      Object.assign(stored, {
        name: body.name,
        ...(body.notes !== undefined ? { notes: body.notes } : {}),
        ...(body.values ? { values: body.values } : {}),
      });
      // The real PUT answers the policy with its values (SUP-T's Set-JCPolicy, notes §12.1), not the
      // spec's bare `Policy`; whether it adds configFields is unknown, so it answers like GET.
      return ok(policyDetails(ctx, stored));
    },
  },
  {
    method: "DELETE",
    path: "/api/v2/policies/:id",
    handler: (ctx) => {
      const stored = policy(ctx);
      ctx.org.policies = ctx.org.policies.filter((p) => p !== stored);
      ctx.org.policyStatuses = ctx.org.policyStatuses.filter((s) => s.policyID !== stored.id);
      return { status: 204 };
    },
  },
  {
    method: "GET",
    path: "/api/v2/policies/:policy_id/policystatuses",
    handler: (ctx) => {
      const id = findById(ctx.org.policies, "id", ctx.params.policy_id as string, "Policy").id;
      return v2List(
        ctx,
        ctx.org.policyStatuses.filter((s) => s.policyID === id),
      );
    },
  },
  {
    method: "GET",
    path: "/api/v2/policytemplates",
    // List items are `PolicyTemplate`: configFields only on `GET /policytemplates/{id}` (notes §7, §12.1).
    handler: (ctx) => v2List(ctx, ctx.org.policyTemplates.map(templateSummary)),
  },
  {
    method: "GET",
    path: "/api/v2/policytemplates/:id",
    handler: (ctx) =>
      ok(
        projectOne(
          ctx,
          findById(ctx.org.policyTemplates, "id", ctx.params.id as string, "Policy template"),
          "v2",
          "id",
        ),
      ),
  },
  { method: "GET", path: "/api/v2/ldapservers", handler: (ctx) => v2List(ctx, ctx.org.ldapServers) },
  {
    method: "GET",
    path: "/api/v2/ldapservers/:id",
    handler: (ctx) =>
      ok(
        projectOne(
          ctx,
          findById(ctx.org.ldapServers, "id", ctx.params.id as string, "LDAP server"),
          "v2",
          "id",
        ),
      ),
  },
  {
    method: "PATCH",
    path: "/api/v2/ldapservers/:id",
    handler: (ctx) => {
      const server = findById(ctx.org.ldapServers, "id", ctx.params.id as string, "LDAP server");
      ctx.validateBody();
      const body = ctx.body as Doc;
      for (const key of ["userLockoutAction", "userPasswordExpirationAction"])
        if (key in body) server[key] = body[key];
      return ok(server);
    },
  },
];

/** List, create (201), get, patch, delete (200 with the deleted object) and optionally put, for one collection. */
function crudRoutes(
  base: string,
  what: string,
  docs: (ctx: SimContext) => Doc[],
  opts: { put: boolean },
): Route[] {
  const one = (ctx: SimContext) => findById(docs(ctx), "id", ctx.params.id as string, what);
  const routes: Route[] = [
    { method: "GET", path: base, handler: (ctx) => v2List(ctx, docs(ctx)) },
    {
      method: "POST",
      path: base,
      handler: (ctx) => {
        const collection = docs(ctx);
        ctx.validateBody();
        const { id: _ignored, ...fields } = ctx.body as Doc;
        const created = { id: newId(), ...fields };
        collection.push(created);
        return ok(created, 201);
      },
    },
    { method: "GET", path: `${base}/:id`, handler: (ctx) => ok(projectOne(ctx, one(ctx), "v2", "id")) },
    {
      method: "PATCH",
      path: `${base}/:id`,
      handler: (ctx) => {
        const stored = one(ctx);
        ctx.validateBody();
        const { id: _ignored, ...fields } = ctx.body as Doc;
        // Assumption: PATCH replaces the top-level fields it sends (the doc sample sends {"disabled": false}).
        Object.assign(stored, fields);
        return ok(stored);
      },
    },
    {
      method: "DELETE",
      path: `${base}/:id`,
      handler: (ctx) => {
        const stored = one(ctx);
        const collection = docs(ctx);
        collection.splice(collection.indexOf(stored), 1);
        return ok(stored);
      },
    },
  ];
  if (opts.put) {
    routes.push({
      method: "PUT",
      path: `${base}/:id`,
      handler: (ctx) => {
        const stored = one(ctx);
        ctx.validateBody();
        const { id: _ignored, ...fields } = ctx.body as Doc;
        for (const key of Object.keys(stored)) if (key !== "id") delete stored[key];
        Object.assign(stored, fields);
        return ok(stored);
      },
    });
  }
  return routes;
}

function policy(ctx: SimContext): Doc {
  return findById(ctx.org.policies, "id", ctx.params.id as string, "Policy");
}

/**
 * `PolicyWithDetails`: the stored policy, its template without configFields, and `configFields` taken
 * from the policy if a scenario stored them there, else from its template; none at all when the scenario
 * sets `omitPolicyConfigFields` (whether the real API sends them here is unknown, notes §12.1).
 */
function policyDetails(ctx: SimContext, stored: Doc): Doc {
  const { configFields: own, template, ...rest } = stored;
  const tmpl = (template ?? {}) as Doc;
  const details: Doc = { ...rest, template: templateSummary(tmpl) };
  if (ctx.scenario.omitPolicyConfigFields) return details;
  const fromTemplate = ctx.org.policyTemplates.find((t) => t.id === tmpl.id)?.configFields;
  details.configFields = own ?? fromTemplate ?? [];
  return details;
}

/** Conditional Access (authn policies, IP lists) is Platform-only; 403 on lower plans is an assumption. */
function gated(ctx: SimContext) {
  if (!planHasConditionalAccess(ctx.plan)) {
    throw new HttpError(403, "Conditional Access is not available on this plan");
  }
  return ctx.org;
}

// ObjectId layout (seconds, per-process random, counter), so created ids sort after older ones, as real ids do.
const PROCESS_RANDOM = randomBytes(5).toString("hex");
let counter = Math.floor(Math.random() * 0xffffff);

function newId(): string {
  counter = (counter + 1) % 0x1000000;
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, "0");
  return seconds + PROCESS_RANDOM + counter.toString(16).padStart(6, "0");
}
