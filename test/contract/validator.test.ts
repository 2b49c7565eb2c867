import { describe, expect, it } from "vitest";
import {
  type ContractResult,
  contractOperations,
  createContractValidator,
  matchOperationKey,
} from "../../contract/validator.js";

const closed = createContractValidator({ closed: true });
const open = createContractValidator();

function errorsOf(result: ContractResult): string[] {
  return result.ok ? [] : result.errors;
}

/** Doc sample POST from PS-V2 (jumpcloud-api-notes.md §5) plus MFA obligations. */
const authnPolicy = {
  name: "Sample Policy",
  disabled: false,
  type: "user_portal",
  effect: {
    action: "allow",
    obligations: {
      mfa: { required: true },
      mfaFactors: [{ type: "TOTP" }, { type: "WEBAUTHN" }, { type: "PUSH" }],
      userVerification: { requirement: "required" },
    },
  },
  targets: {
    users: { inclusions: ["ALL"] },
    userGroups: { exclusions: ["5f1e00000000000000000001"] },
    resources: [{ type: "user_portal" }],
  },
  conditions: { not: { ipAddressIn: ["5f1e00000000000000000002"] } },
};

const policyResult = {
  id: "5f1e00000000000000000010",
  policyID: "5f1e00000000000000000011",
  systemID: "5f1e00000000000000000012",
  startedAt: "2026-11-28T10:00:00Z",
  endedAt: "2026-11-28T10:00:05Z",
  success: true,
  state: "success",
  exitStatus: 0,
  detail: "",
  stdOut: "",
  stdErr: "",
};

describe("authn policies", () => {
  it("accepts a valid AuthnPolicy POST body in both modes", () => {
    expect(closed.validateRequest("POST", "/api/v2/authn/policies", authnPolicy)).toEqual({ ok: true });
    expect(open.validateRequest("POST", "/api/v2/authn/policies", authnPolicy)).toEqual({ ok: true });
  });

  it("rejects mfaFactors given as strings and names the field", () => {
    const body = structuredClone(authnPolicy) as Record<string, unknown> & typeof authnPolicy;
    (body.effect.obligations as Record<string, unknown>).mfaFactors = ["TOTP", "WEBAUTHN", "PUSH"];
    for (const validator of [closed, open]) {
      const result = validator.validateRequest("POST", "/api/v2/authn/policies", body);
      expect(result.ok).toBe(false);
      expect(errorsOf(result).join("\n")).toMatch(/mfaFactors/);
    }
  });

  it("rejects an unknown enum value", () => {
    const result = closed.validateRequest("POST", "/api/v2/authn/policies", {
      ...authnPolicy,
      type: "console",
    });
    expect(errorsOf(result).join("\n")).toMatch(/\/type: must be equal to one of the allowed values/);
  });

  it("treats the PATCH body as partial at the top level only", () => {
    const path = "/api/v2/authn/policies/5f1e00000000000000000003";
    expect(closed.validateRequest("PATCH", path, { disabled: false })).toEqual({ ok: true });
    // effect.action stays required inside the nested object
    const nested = closed.validateRequest("PATCH", path, {
      effect: { obligations: { mfa: { required: true } } },
    });
    expect(errorsOf(nested).join("\n")).toMatch(/\/effect: must have required property 'action'/);
    expect(closed.validateRequest("PATCH", path, { disabled: false, colour: "red" }).ok).toBe(false);
  });

  it("validates the 201 response and BT-V2 error bodies", () => {
    const created = { ...authnPolicy, id: "5f1e00000000000000000004" };
    expect(closed.validateResponse("POST", "/api/v2/authn/policies", 201, created)).toEqual({ ok: true });
    expect(closed.validateResponse("POST", "/api/v2/authn/policies", 200, created).ok).toBe(false);
    const badRequest = { code: 400, message: "invalid", status: "Bad Request", details: [{ "@type": "x" }] };
    expect(closed.validateResponse("POST", "/api/v2/authn/policies", 400, badRequest)).toEqual({ ok: true });
    const notFound = { code: 404, message: "not found", status: "Not Found" };
    expect(closed.validateResponse("GET", "/api/v2/authn/policies/x", 404, notFound)).toEqual({ ok: true });
    expect(closed.validateResponse("GET", "/api/v2/authn/policies/x", 404, { error: "nope" }).ok).toBe(false);
    expect(closed.validateResponse("GET", "/api/v2/authn/policies/x", 429, notFound).ok).toBe(false);
  });
});

describe("ip lists", () => {
  const body = { name: "office", description: "HQ egress", ips: ["192.168.10.12", "123.225.10.0/32"] };

  it("rejects an invented field in closed mode but not in open mode", () => {
    const invented = { ...body, enabled: true };
    const result = closed.validateRequest("POST", "/api/v2/iplists", invented);
    expect(result.ok).toBe(false);
    expect(errorsOf(result).join("\n")).toMatch(/enabled/);
    expect(open.validateRequest("POST", "/api/v2/iplists", invented)).toEqual({ ok: true });
    expect(closed.validateRequest("POST", "/api/v2/iplists", body)).toEqual({ ok: true });
  });

  it("accepts a partial PATCH and rejects wrong types", () => {
    const path = "/api/v2/iplists/5f1e00000000000000000005";
    expect(closed.validateRequest("PATCH", path, { name: "New IP List Name" })).toEqual({ ok: true });
    const wrong = closed.validateRequest("PATCH", path, { ips: "10.0.0.1" });
    expect(errorsOf(wrong).join("\n")).toMatch(/\/ips: must be array/);
  });

  it("validates list responses as bare arrays", () => {
    const item = { id: "5f1e00000000000000000005", ...body };
    expect(closed.validateResponse("GET", "/api/v2/iplists", 200, [item])).toEqual({ ok: true });
    expect(
      closed.validateResponse("GET", "/api/v2/iplists", 200, { totalCount: 1, results: [item] }).ok,
    ).toBe(false);
  });
});

describe("organizations", () => {
  it("rejects settings.requireAdminMFA on PUT in closed mode (not in organizationsettingsput)", () => {
    const path = "/api/organizations/5f1e00000000000000000006";
    const result = closed.validateRequest("PUT", path, { settings: { requireAdminMFA: true } });
    expect(result.ok).toBe(false);
    expect(errorsOf(result).join("\n")).toMatch(/requireAdminMFA/);
    expect(open.validateRequest("PUT", path, { settings: { requireAdminMFA: true } })).toEqual({ ok: true });
  });

  it("accepts the documented directoryInsights toggle", () => {
    const body = { settings: { features: { directoryInsights: { enabled: true } } } };
    expect(closed.validateRequest("PUT", "/api/organizations/o1", body)).toEqual({ ok: true });
  });

  it("accepts requireAdminMFA in the GET response", () => {
    const org = { _id: "o1", displayName: "Acme", settings: { requireAdminMFA: true } };
    expect(closed.validateResponse("GET", "/api/organizations/o1", 200, org)).toEqual({ ok: true });
  });
});

describe("policy statuses", () => {
  const path = "/api/v2/policies/5f1e00000000000000000011/policystatuses";

  it("accepts a PolicyResult with success:true", () => {
    expect(closed.validateResponse("GET", path, 200, [policyResult])).toEqual({ ok: true });
  });

  it("rejects an extra status field in closed mode", () => {
    const result = closed.validateResponse("GET", path, 200, [{ ...policyResult, status: "success" }]);
    expect(result.ok).toBe(false);
    expect(errorsOf(result).join("\n")).toMatch(/\/0\/status/);
    expect(open.validateResponse("GET", path, 200, [{ ...policyResult, status: "success" }])).toEqual({
      ok: true,
    });
  });

  it("rejects success given as a string", () => {
    expect(closed.validateResponse("GET", path, 200, [{ ...policyResult, success: "true" }]).ok).toBe(false);
  });
});

describe("path matching", () => {
  it("matches concrete paths to templates", () => {
    expect(closed.operationFor("GET", "/api/v2/policies/5f1e00000000000000000011/policystatuses")).toBe(
      "GET /api/v2/policies/{policy_id}/policystatuses",
    );
    expect(closed.operationFor("GET", "/api/v2/policies/abc")).toBe("GET /api/v2/policies/{id}");
    expect(closed.operationFor("GET", "/api/v2/policytemplates")).toBe("GET /api/v2/policytemplates");
    expect(closed.operationFor("get", "/api/v2/iplists/abc")).toBe("GET /api/v2/iplists/{id}");
    expect(closed.operationFor("GET", "/api/v2/iplists/")).toBe("GET /api/v2/iplists");
    expect(closed.operationFor("POST", "/insights/directory/v1/events/count")).toBe(
      "POST /insights/directory/v1/events/count",
    );
  });

  it("prefers literal segments over parameters", () => {
    const keys = [
      "GET /api/v2/policies/{id}",
      "GET /api/v2/policies/templates",
      "GET /api/v2/{kind}/templates",
    ];
    expect(matchOperationKey(keys, "GET", "/api/v2/policies/templates")).toBe(
      "GET /api/v2/policies/templates",
    );
    expect(matchOperationKey([...keys].reverse(), "GET", "/api/v2/policies/templates")).toBe(
      "GET /api/v2/policies/templates",
    );
    expect(matchOperationKey(keys, "GET", "/api/v2/policies/abc")).toBe("GET /api/v2/policies/{id}");
    expect(matchOperationKey(keys, "GET", "/api/v2/systems/templates")).toBe("GET /api/v2/{kind}/templates");
  });

  it("does not match empty or extra segments, or other methods", () => {
    expect(closed.operationFor("GET", "/api/v2/iplists//x")).toBeUndefined();
    expect(closed.operationFor("GET", "/api/v2/iplists/a/b")).toBeUndefined();
    expect(closed.operationFor("PUT", "/api/v2/authn/policies/abc")).toBeUndefined();
  });

  it("reports unknown operations", () => {
    expect(closed.validateRequest("POST", "/api/v2/nothing", {})).toEqual({
      ok: false,
      errors: ["no contract for POST /api/v2/nothing"],
    });
    expect(closed.validateResponse("PUT", "/api/v2/authn/policies/abc", 200, {})).toEqual({
      ok: false,
      errors: ["no contract for PUT /api/v2/authn/policies/abc"],
    });
  });
});

describe("status handling", () => {
  it("accepts undeclared error statuses on operations without declared errors", () => {
    expect(closed.validateResponse("GET", "/api/systemusers", 401, { message: "Unauthorized" })).toEqual({
      ok: true,
    });
    expect(closed.validateResponse("GET", "/api/systemusers", 201, {}).ok).toBe(false);
  });

  it("expects an empty 204 for DELETE /api/v2/policies/{id}", () => {
    expect(closed.validateResponse("DELETE", "/api/v2/policies/p1", 204, undefined)).toEqual({ ok: true });
    expect(closed.validateResponse("DELETE", "/api/v2/policies/p1", 204, { id: "p1" }).ok).toBe(false);
    expect(closed.validateResponse("DELETE", "/api/v2/policies/p1", 200, { id: "p1" }).ok).toBe(false);
  });

  it("rejects a body on operations without a request body", () => {
    expect(closed.validateRequest("GET", "/api/systemusers", undefined)).toEqual({ ok: true });
    expect(closed.validateRequest("GET", "/api/systemusers", { limit: 100 }).ok).toBe(false);
  });
});

describe("GET /api/users overlay", () => {
  const admin = {
    _id: "5f1e00000000000000000020",
    email: "admin@example.com",
    enableMultiFactor: true,
    totpEnrolled: false,
    roleName: "Administrator",
    suspended: false,
    created: "2024-05-01T12:00:00.000Z",
  };

  it("validates {totalCount, results}", () => {
    expect(closed.validateResponse("GET", "/api/users", 200, { totalCount: 1, results: [admin] })).toEqual({
      ok: true,
    });
  });

  it("requires both fields and userreturn-shaped items", () => {
    const missing = closed.validateResponse("GET", "/api/users", 200, { results: [admin] });
    expect(errorsOf(missing).join("\n")).toMatch(/totalCount/);
    const invented = closed.validateResponse("GET", "/api/users", 200, {
      totalCount: 1,
      results: [{ ...admin, mfaRequired: true }],
    });
    expect(errorsOf(invented).join("\n")).toMatch(/\/results\/0\/mfaRequired/);
    expect(closed.validateResponse("GET", "/api/users", 200, [admin]).ok).toBe(false);
  });
});

describe("system users", () => {
  it("accepts nullable fields as null and enforces enums", () => {
    const user = { _id: "u1", username: "jdoe", state: "ACTIVATED", admin: null, account_locked_date: null };
    expect(closed.validateResponse("GET", "/api/systemusers/u1", 200, user)).toEqual({ ok: true });
    expect(closed.validateResponse("GET", "/api/systemusers/u1", 200, { ...user, state: "active" }).ok).toBe(
      false,
    );
  });
});

describe("Directory Insights", () => {
  const path = "/insights/directory/v1/events";

  it("requires service and start_time", () => {
    const result = closed.validateRequest("POST", path, { limit: 10 });
    const text = errorsOf(result).join("\n");
    expect(text).toMatch(/'service'/);
    expect(text).toMatch(/'start_time'/);
  });

  it("accepts a documented query with array conjunctions and a mixed search_after", () => {
    const query = {
      service: ["directory"],
      start_time: "2026-11-01T00:00:00Z",
      sort: "DESC",
      limit: 1000,
      search_term: { and: [{ event_type: ["admin_login_attempt", "admin_update"] }] },
      search_after: [1576181718000, "DZrPyW8BNsa9iKWoOm7h"],
    };
    expect(closed.validateRequest("POST", path, query)).toEqual({ ok: true });
    expect(closed.validateRequest("POST", `${path}/count`, query)).toEqual({ ok: true });
  });

  it("rejects unknown services, bad timestamps and invented fields (closed)", () => {
    const base = { service: ["directory"], start_time: "2026-11-01T00:00:00Z" };
    expect(closed.validateRequest("POST", path, { ...base, service: ["admin"] }).ok).toBe(false);
    expect(closed.validateRequest("POST", path, { ...base, start_time: "yesterday" }).ok).toBe(false);
    expect(closed.validateRequest("POST", path, { ...base, event_types: ["x"] }).ok).toBe(false);
    expect(open.validateRequest("POST", path, { ...base, event_types: ["x"] })).toEqual({ ok: true });
  });

  it("validates responses", () => {
    expect(
      closed.validateResponse("POST", path, 200, [{ id: "e1", event_type: "admin_login_attempt" }]),
    ).toEqual({
      ok: true,
    });
    expect(closed.validateResponse("POST", `${path}/count`, 200, { count: 3 })).toEqual({ ok: true });
    expect(closed.validateResponse("POST", `${path}/count`, 200, { count: 3, total: 3 }).ok).toBe(false);
  });
});

describe("contract file", () => {
  it("covers exactly the expected operations", () => {
    expect(contractOperations()).toHaveLength(37);
    expect(contractOperations()).toContain("GET /api/users");
    expect(contractOperations()).not.toContain("PUT /api/v2/authn/policies/{id}");
  });
});
