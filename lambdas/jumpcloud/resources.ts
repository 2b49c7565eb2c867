/** Typed calls for each JumpCloud endpoint this project uses (paths and shapes from the API notes). */
import type { JumpCloudClient } from "./client.js";
import type {
  AdminUser,
  AuthnPolicy,
  EventQuery,
  InsightsEvent,
  IpList,
  JcSystem,
  LdapServer,
  Organization,
  OrganizationSettings,
  OrganizationSummary,
  Policy,
  PolicyResult,
  PolicyTemplate,
  RadiusServer,
  SystemUser,
} from "./types.js";

type Fields = readonly string[] | undefined;
const id = (value: string) => encodeURIComponent(value);

/** `GET /api/organizations` (no settings in list items). */
export const listOrganizations = (c: JumpCloudClient, fields?: Fields) =>
  c.v1List<OrganizationSummary>("/api/organizations", { fields });
/** `GET /api/organizations/{id}`, settings included. */
export const getOrganization = (c: JumpCloudClient, orgId: string, fields?: Fields) =>
  c.get<Organization>(`/api/organizations/${id(orgId)}`, { fields });
/** `PUT /api/organizations/{id}` with `{settings}`; send the whole settings objects you change (read-modify-write). */
export const updateOrganizationSettings = (
  c: JumpCloudClient,
  orgId: string,
  settings: OrganizationSettings,
) => c.put<Organization>(`/api/organizations/${id(orgId)}`, { settings });

/** `GET /api/users`: admin accounts (undocumented, used by the official module). */
export const listAdmins = (c: JumpCloudClient, fields?: Fields) =>
  c.v1List<AdminUser>("/api/users", { fields });
/** `PUT /api/users/{id}` (`userput`), e.g. `{enableMultiFactor: true}`. */
export const updateAdmin = (
  c: JumpCloudClient,
  adminId: string,
  body: Pick<AdminUser, "enableMultiFactor" | "apiKeyAllowed" | "roleName">,
) => c.put<AdminUser>(`/api/users/${id(adminId)}`, body);

/** `GET /api/systemusers`. */
export const listSystemUsers = (c: JumpCloudClient, fields?: Fields) =>
  c.v1List<SystemUser>("/api/systemusers", { fields });
/** `GET /api/systems`. */
export const listSystems = (c: JumpCloudClient, fields?: Fields) =>
  c.v1List<JcSystem>("/api/systems", { fields });
/** `GET /api/systems/{id}`. */
export const getSystem = (c: JumpCloudClient, systemId: string, fields?: Fields) =>
  c.get<JcSystem>(`/api/systems/${id(systemId)}`, { fields });
/** `PUT /api/systems/{id}` (`systemput`), e.g. `{allowMultiFactorAuthentication: true}`. */
export const updateSystem = (
  c: JumpCloudClient,
  systemId: string,
  body: Pick<
    JcSystem,
    "allowMultiFactorAuthentication" | "allowSshPasswordAuthentication" | "allowSshRootLogin"
  >,
) => c.put<JcSystem>(`/api/systems/${id(systemId)}`, body);

/** `GET /api/radiusservers`; results include `sharedSecret`: never log or store it. */
export const listRadiusServers = (c: JumpCloudClient, fields?: Fields) =>
  c.v1List<RadiusServer>("/api/radiusservers", { fields });
/** `GET /api/radiusservers/{id}`. */
export const getRadiusServer = (c: JumpCloudClient, serverId: string) =>
  c.get<RadiusServer>(`/api/radiusservers/${id(serverId)}`);
/** `PUT /api/radiusservers/{id}`: `name`, `networkSourceIp` and `sharedSecret` are required. */
export const updateRadiusServer = (
  c: JumpCloudClient,
  serverId: string,
  body: Required<Pick<RadiusServer, "name" | "networkSourceIp" | "sharedSecret">> & Pick<RadiusServer, "mfa">,
) => c.put<Omit<RadiusServer, "sharedSecret">>(`/api/radiusservers/${id(serverId)}`, body);

/** `GET /api/v2/authn/policies`. */
export const listAuthnPolicies = (c: JumpCloudClient, fields?: Fields) =>
  c.v2List<AuthnPolicy>("/api/v2/authn/policies", { fields });
/** `POST /api/v2/authn/policies` → 201. */
export const createAuthnPolicy = (c: JumpCloudClient, policy: AuthnPolicy) =>
  c.post<AuthnPolicy>("/api/v2/authn/policies", policy);
/** `PATCH /api/v2/authn/policies/{id}` (there is no PUT). */
export const patchAuthnPolicy = (c: JumpCloudClient, policyId: string, patch: Partial<AuthnPolicy>) =>
  c.patch<AuthnPolicy>(`/api/v2/authn/policies/${id(policyId)}`, patch);
/** `DELETE /api/v2/authn/policies/{id}` → 200 with the deleted policy. */
export const deleteAuthnPolicy = (c: JumpCloudClient, policyId: string) =>
  c.delete<AuthnPolicy>(`/api/v2/authn/policies/${id(policyId)}`);

/** `GET /api/v2/iplists`. */
export const listIpLists = (c: JumpCloudClient, fields?: Fields) =>
  c.v2List<IpList>("/api/v2/iplists", { fields });
/** `POST /api/v2/iplists` → 201. */
export const createIpList = (
  c: JumpCloudClient,
  list: Required<Pick<IpList, "name" | "ips">> & Pick<IpList, "description">,
) => c.post<IpList>("/api/v2/iplists", list);
/** `DELETE /api/v2/iplists/{id}` → 200 with the deleted list. */
export const deleteIpList = (c: JumpCloudClient, listId: string) =>
  c.delete<IpList>(`/api/v2/iplists/${id(listId)}`);

/** `GET /api/v2/policies` (no values in list items). */
export const listPolicies = (c: JumpCloudClient, fields?: Fields) =>
  c.v2List<Policy>("/api/v2/policies", { fields });
/** `GET /api/v2/policies/{id}/policystatuses`: latest result per system (`success`, not `status`). */
export const listPolicyStatuses = (c: JumpCloudClient, policyId: string, fields?: Fields) =>
  c.v2List<PolicyResult>(`/api/v2/policies/${id(policyId)}/policystatuses`, { fields });
/** `GET /api/v2/policytemplates`. */
export const listPolicyTemplates = (c: JumpCloudClient, fields?: Fields) =>
  c.v2List<PolicyTemplate>("/api/v2/policytemplates", { fields });
/** `GET /api/v2/ldapservers`. */
export const listLdapServers = (c: JumpCloudClient, fields?: Fields) =>
  c.v2List<LdapServer>("/api/v2/ldapservers", { fields });

/** `POST /insights/directory/v1/events`, all pages. */
export const searchEvents = (c: JumpCloudClient, query: EventQuery): AsyncIterable<InsightsEvent> =>
  c.insightsEvents(query);
/** `POST /insights/directory/v1/events/count`. */
export const countEvents = (c: JumpCloudClient, query: EventQuery) => c.insightsCount(query);
