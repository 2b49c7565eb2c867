/** v1 routes (`/api/...`): organizations, admins, system users, systems, RADIUS servers (notes §1–4, §8). */
import { definitionProperties } from "../../contract/validator.js";
import { findById, HttpError, ok, type Route, type SimContext } from "../http.js";
import type { Doc } from "../query.js";
import { projectOne, v1List } from "./lists.js";

// Settings the GET schema has but `organizationsettingsput` lacks (requireAdminMFA among them): a PUT
// cannot change them (notes §1, §10.1), so the simulator drops them from the body.
const putSettings = new Set(definitionProperties("v1.organizationsettingsput"));
const READ_ONLY_SETTINGS = definitionProperties("v1.organizationsettings").filter(
  (key) => !putSettings.has(key),
);
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
// Fields of the `PUT /api/radiusservers/{id}` request body (PS-V1).
const RADIUS_PUT_FIELDS = [
  "name",
  "networkSourceIp",
  "sharedSecret",
  "mfa",
  "userLockoutAction",
  "userPasswordExpirationAction",
  "userPasswordEnabled",
  "userCertEnabled",
  "deviceCertEnabled",
  "caCert",
  "radsecEnabled",
  "requireRadsec",
  "requireTlsAuth",
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
  ...collectionRoutes("/api/users", "Administrator", (ctx) => ctx.org.admins, {
    fields: ADMIN_PUT_FIELDS,
    get: false,
  }),
  ...collectionRoutes("/api/systemusers", "User", (ctx) => ctx.org.systemUsers),
  ...collectionRoutes("/api/systems", "System", (ctx) => ctx.org.systems, { fields: SYSTEM_PUT_FIELDS }),
  // PUT requires name, networkSourceIp and sharedSecret (validated); its answer, `radiusserverput`,
  // has neither sharedSecret nor organization.
  ...collectionRoutes("/api/radiusservers", "RADIUS server", (ctx) => ctx.org.radiusServers, {
    fields: RADIUS_PUT_FIELDS,
    answer: ({ sharedSecret: _secret, organization: _org, ...rest }) => rest,
  }),
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

/** List and get-one of a v1 collection, and a PUT that stores the allowed fields when `put` is given. */
function collectionRoutes(
  base: string,
  what: string,
  docs: (ctx: SimContext) => Doc[],
  put?: { fields: string[]; get?: boolean; answer?: (doc: Doc) => Doc },
): Route[] {
  const one = (ctx: SimContext) => findById(docs(ctx), "_id", ctx.params.id as string, what);
  const routes: Route[] = [{ method: "GET", path: base, handler: (ctx) => v1List(ctx, docs(ctx)) }];
  if (put?.get !== false) {
    routes.push({
      method: "GET",
      path: `${base}/:id`,
      handler: (ctx) => ok(projectOne(ctx, one(ctx), "v1", "_id")),
    });
  }
  if (put) {
    routes.push({
      method: "PUT",
      path: `${base}/:id`,
      handler: (ctx) => {
        const doc = one(ctx);
        ctx.validateBody();
        assign(doc, ctx.body as Doc, put.fields);
        return ok(put.answer ? put.answer(doc) : doc);
      },
    });
  }
  return routes;
}

function assign(target: Doc, source: Doc, allowed: string[]): void {
  for (const key of allowed) if (key in source) target[key] = source[key];
}
