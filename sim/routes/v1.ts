/** v1 routes (`/api/...`): organizations, admins, system users, systems, RADIUS servers (notes §1–4, §8). */
import { findById, HttpError, ok, type Route, type SimContext } from "../http.js";
import type { Doc } from "../query.js";
import { projectOne, v1List } from "./lists.js";

// Settings the GET schema has but `organizationsettingsput` lacks: a PUT cannot change them (notes §1, §10.1).
const READ_ONLY_SETTINGS = [
  "requireAdminMFA",
  "agentVersion",
  "betaFeatures",
  "chromeDTCEnabled",
  "disableCommandRunner",
  "enableGoogleApps",
  "enableO365",
  "enableUserPortalAgentInstall",
  "pendingDelete",
  "windowsMDM",
];
const ADMIN_PUT_FIELDS = [
  "apiKeyAllowed",
  "email",
  "enableMultiFactor",
  "firstname",
  "lastname",
  "growthData",
  "lastWhatsNewChecked",
  "roleName",
  "roleNames",
];
const SYSTEM_PUT_FIELDS = [
  "allowMultiFactorAuthentication",
  "allowPublicKeyAuthentication",
  "allowSshPasswordAuthentication",
  "allowSshRootLogin",
  "displayName",
];

/** The v1 routes. */
export const v1Routes: Route[] = [
  {
    method: "GET",
    path: "/api/organizations",
    handler: (ctx) =>
      v1List(
        ctx,
        ctx.scenario.organizations.map(({ organization: o }) => ({
          _id: o._id,
          displayName: o.displayName,
          ...(o.logoUrl ? { logoUrl: o.logoUrl } : {}),
        })),
      ),
  },
  {
    method: "GET",
    path: "/api/organizations/:id",
    handler: (ctx) => ok(projectOne(ctx, orgByPath(ctx), "v1", "_id")),
  },
  {
    method: "PUT",
    path: "/api/organizations/:id",
    handler: (ctx) => {
      const org = orgByPath(ctx);
      ctx.validateBody();
      const incoming = { ...((ctx.body as { settings?: Doc }).settings ?? {}) };
      for (const key of READ_ONLY_SETTINGS) delete incoming[key];
      // Assumption (undocumented): top-level settings keys sent replace the stored ones; keys not sent are kept.
      // So `features: {directoryInsights: …}` alone drops `features.systemInsights`: send the whole object.
      org.settings = { ...(org.settings as Doc), ...incoming };
      return ok(org);
    },
  },
  { method: "GET", path: "/api/users", handler: (ctx) => v1List(ctx, ctx.org.admins) },
  {
    method: "PUT",
    path: "/api/users/:id",
    handler: (ctx) => {
      const adminUser = findById(ctx.org.admins, "_id", ctx.params.id as string, "Administrator");
      ctx.validateBody();
      assign(adminUser, ctx.body as Doc, ADMIN_PUT_FIELDS);
      return ok(adminUser);
    },
  },
  { method: "GET", path: "/api/systemusers", handler: (ctx) => v1List(ctx, ctx.org.systemUsers) },
  {
    method: "GET",
    path: "/api/systemusers/:id",
    handler: (ctx) =>
      ok(projectOne(ctx, findById(ctx.org.systemUsers, "_id", ctx.params.id as string, "User"), "v1", "_id")),
  },
  { method: "GET", path: "/api/systems", handler: (ctx) => v1List(ctx, ctx.org.systems) },
  {
    method: "GET",
    path: "/api/systems/:id",
    handler: (ctx) =>
      ok(projectOne(ctx, findById(ctx.org.systems, "_id", ctx.params.id as string, "System"), "v1", "_id")),
  },
  {
    method: "PUT",
    path: "/api/systems/:id",
    handler: (ctx) => {
      const system = findById(ctx.org.systems, "_id", ctx.params.id as string, "System");
      ctx.validateBody();
      assign(system, ctx.body as Doc, SYSTEM_PUT_FIELDS);
      return ok(system);
    },
  },
  { method: "GET", path: "/api/radiusservers", handler: (ctx) => v1List(ctx, ctx.org.radiusServers) },
  {
    method: "GET",
    path: "/api/radiusservers/:id",
    handler: (ctx) =>
      ok(
        projectOne(
          ctx,
          findById(ctx.org.radiusServers, "_id", ctx.params.id as string, "RADIUS server"),
          "v1",
          "_id",
        ),
      ),
  },
  {
    method: "PUT",
    path: "/api/radiusservers/:id",
    handler: (ctx) => {
      const server = findById(ctx.org.radiusServers, "_id", ctx.params.id as string, "RADIUS server");
      ctx.validateBody(); // name, networkSourceIp and sharedSecret are required (radiusserverput)
      assign(
        server,
        ctx.body as Doc,
        Object.keys(ctx.body as Doc).filter((k) => k !== "_id" && k !== "organization"),
      );
      // The PUT response schema (`radiusserverput`) has neither sharedSecret nor organization.
      const { sharedSecret: _secret, organization: _org, ...answer } = server;
      return ok(answer);
    },
  },
];

function orgByPath(ctx: SimContext): Doc {
  const id = ctx.params.id as string;
  const header = ctx.headers["x-org-id"];
  if (typeof header === "string" && header !== id)
    throw new HttpError(400, "x-org-id and Organization path ID do not match");
  const found = ctx.scenario.organizations.find((o) => o.organization._id === id);
  if (!found) throw new HttpError(404, "Organization ID Not Found");
  return found.organization;
}

function assign(target: Doc, source: Doc, allowed: string[]): void {
  for (const key of allowed) if (key in source) target[key] = source[key];
}
