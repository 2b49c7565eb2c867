/** v2 routes over real HTTP (sim/routes/v2.ts): authn policies, IP lists, device policies, templates, LDAP. */
import { describe, expect, it } from "vitest";
import { LOCK_TIMEOUT_FIELD } from "../../../sim/presets/catalog.js";
import type { Doc } from "../../../sim/query.js";
import { startSimulator } from "../../../sim/server.js";
import { call, freshSimulator, NOW, orgOf, snapshot } from "../support.js";

const sim = freshSimulator();
const OBJECT_ID = /^[0-9a-f]{24}$/;

const NEW_POLICY = {
  name: "Require MFA - Contractors",
  disabled: false,
  type: "user_portal",
  effect: {
    action: "allow",
    obligations: { mfa: { required: true }, mfaFactors: [{ type: "TOTP" }, { type: "WEBAUTHN" }] },
  },
  targets: { users: { inclusions: ["ALL"] }, resources: [{ type: "user_portal" }] },
  conditions: {},
};

describe("/api/v2/authn/policies", () => {
  const policies = () => orgOf(sim()).authnPolicies;

  it("lists as a bare array with X-Total-Count", async () => {
    const res = await call(sim(), "GET", "/api/v2/authn/policies");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-total-count")).toBe("3");
    expect(res.body.map((p: Doc) => p.name)).toEqual([
      "Require MFA - All Users",
      "MFA Outside Corporate",
      "Managed and encrypted devices only",
    ]);
  });

  it("filters with the v2 grammar and counts the matches in X-Total-Count", async () => {
    const res = await call(sim(), "GET", "/api/v2/authn/policies?filter=name:eq:MFA%20Outside%20Corporate");
    expect(res.headers.get("x-total-count")).toBe("1");
    expect(res.body.map((p: Doc) => p.id)).toEqual([policies()[1]?.id]);
  });

  it("sends X-Unfiltered-Total-Count when asked with x-unfiltered-total-count", async () => {
    const res = await call(sim(), "GET", "/api/v2/authn/policies?filter=disabled:eq:true", {
      headers: { "x-unfiltered-total-count": "1" },
    });
    expect(res.body).toEqual([]);
    expect(res.headers.get("x-total-count")).toBe("0");
    expect(res.headers.get("x-unfiltered-total-count")).toBe("3");
    const plain = await call(sim(), "GET", "/api/v2/authn/policies");
    expect(plain.headers.get("x-unfiltered-total-count")).toBeNull();
  });

  it("POST answers 201 with a new id and stores the policy", async () => {
    const res = await call(sim(), "POST", "/api/v2/authn/policies", { body: NEW_POLICY });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(OBJECT_ID);
    expect(res.body).toEqual({ id: res.body.id, ...NEW_POLICY });
    expect(policies()).toHaveLength(4);
    const got = await call(sim(), "GET", `/api/v2/authn/policies/${res.body.id}`);
    expect(got.body).toEqual(res.body);
  });

  it("POST ignores a client-chosen id", async () => {
    const res = await call(sim(), "POST", "/api/v2/authn/policies", {
      body: { ...NEW_POLICY, id: "5f0000050000000000000999" },
    });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe("5f0000050000000000000999");
  });

  it("POST with mfaFactors as strings answers 400 ErrorDetails and creates nothing", async () => {
    const before = snapshot(policies());
    const body = {
      ...NEW_POLICY,
      effect: { action: "allow", obligations: { mfa: { required: true }, mfaFactors: ["TOTP", "WEBAUTHN"] } },
    };
    const res = await call(sim(), "POST", "/api/v2/authn/policies", { body });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(400);
    expect(res.body.status).toBe("Bad Request");
    expect(res.body.message).toContain("/effect/obligations/mfaFactors/0");
    expect(Array.isArray(res.body.details)).toBe(true);
    expect(policies()).toEqual(before);
  });

  it("PATCH {disabled: true} answers 200 and persists, keeping the other fields", async () => {
    const target = policies()[0] as Doc;
    const before = snapshot(target);
    const res = await call(sim(), "PATCH", `/api/v2/authn/policies/${target.id}`, {
      body: { disabled: true },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...before, disabled: true });
    const got = await call(sim(), "GET", `/api/v2/authn/policies/${target.id}`);
    expect(got.body.disabled).toBe(true);
  });

  it("has no PUT", async () => {
    const id = policies()[0]?.id;
    const res = await call(sim(), "PUT", `/api/v2/authn/policies/${id}`, { body: NEW_POLICY });
    expect(res.status).toBe(404);
    expect(res.body.message).toBe(`No route for PUT /api/v2/authn/policies/${id}`);
  });

  it("DELETE answers 200 with the deleted object", async () => {
    const target = snapshot(policies()[2] as Doc);
    const res = await call(sim(), "DELETE", `/api/v2/authn/policies/${target.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(target);
    expect(policies().map((p) => p.id)).not.toContain(target.id);
    const list = await call(sim(), "GET", "/api/v2/authn/policies");
    expect(list.headers.get("x-total-count")).toBe("2");
  });

  it("answers 404 for an unknown id", async () => {
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const res = await call(sim(), method, "/api/v2/authn/policies/5f0000050000000000000999", {
        body: method === "PATCH" ? { disabled: true } : undefined,
      });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        code: 404,
        message: "Authentication policy not found",
        status: "Not Found",
      });
    }
  });
});

describe("/api/v2/iplists", () => {
  const lists = () => orgOf(sim()).ipLists;
  const corporate = { name: "Corporate egress", description: "Office and VPN egress" };

  it("GET lists with X-Total-Count; GET by id", async () => {
    const res = await call(sim(), "GET", "/api/v2/iplists");
    expect(res.headers.get("x-total-count")).toBe("1");
    expect(res.body).toEqual([
      { id: lists()[0]?.id, ...corporate, ips: ["203.0.113.0/24", "198.51.100.17"] },
    ]);
    const one = await call(sim(), "GET", `/api/v2/iplists/${lists()[0]?.id}`);
    expect(one.body).toEqual(res.body[0]);
  });

  it("POST answers 201 {id, name, description, ips}", async () => {
    const body = {
      name: "Branch",
      description: "Branch office",
      ips: ["192.0.2.0/28", "192.0.2.20 - 192.0.2.30"],
    };
    const res = await call(sim(), "POST", "/api/v2/iplists", { body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: res.body.id, ...body });
    expect(res.body.id).toMatch(OBJECT_ID);
    expect(lists()).toHaveLength(2);
  });

  it("POST with ips that are not strings answers 400 and creates nothing", async () => {
    const res = await call(sim(), "POST", "/api/v2/iplists", { body: { name: "Bad", ips: [10] } });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([]);
    expect(lists()).toHaveLength(1);
  });

  it("PUT replaces the whole list (fields not sent are gone)", async () => {
    const id = lists()[0]?.id;
    const res = await call(sim(), "PUT", `/api/v2/iplists/${id}`, {
      body: { name: "Corporate egress v2", ips: ["203.0.113.0/25"] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, name: "Corporate egress v2", ips: ["203.0.113.0/25"] });
    expect(lists()[0]).toEqual({ id, name: "Corporate egress v2", ips: ["203.0.113.0/25"] });
  });

  it("PATCH changes only the fields sent", async () => {
    const id = lists()[0]?.id;
    const res = await call(sim(), "PATCH", `/api/v2/iplists/${id}`, { body: { name: "New IP List Name" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id,
      name: "New IP List Name",
      description: corporate.description,
      ips: ["203.0.113.0/24", "198.51.100.17"],
    });
  });

  it("DELETE answers 200 with the deleted list", async () => {
    const before = snapshot(lists()[0] as Doc);
    const res = await call(sim(), "DELETE", `/api/v2/iplists/${before.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(before);
    expect(lists()).toEqual([]);
    const gone = await call(sim(), "GET", `/api/v2/iplists/${before.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toBe("IP list not found");
  });
});

describe("/api/v2/policies", () => {
  const policies = () => orgOf(sim()).policies;

  it("list items are {id, name, template} only, with X-Total-Count", async () => {
    const res = await call(sim(), "GET", "/api/v2/policies?limit=100");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-total-count")).toBe("12");
    expect(res.body).toHaveLength(12);
    for (const item of res.body) {
      expect(Object.keys(item).sort()).toEqual(["id", "name", "template"]);
      expect("configFields" in item.template).toBe(false);
    }
    expect(res.body[0]).toEqual({
      id: policies()[0]?.id,
      name: "Lock Screen (darwin)",
      template: policies()[0]?.template,
    });
  });

  it("default page is 10; sort is comma-separated with - for descending", async () => {
    const page = await call(sim(), "GET", "/api/v2/policies");
    expect(page.body).toHaveLength(10);
    const sorted = await call(sim(), "GET", "/api/v2/policies?sort=-name&fields=name&limit=3");
    expect(sorted.body).toEqual(
      policies()
        .map((p) => ({ id: p.id, name: p.name }))
        .sort((a, b) => (String(a.name) < String(b.name) ? 1 : -1))
        .slice(0, 3),
    );
  });

  it("GET /policies/{id} has typed values by configFieldName and its template's configFields", async () => {
    const lock = policies()[0] as Doc;
    const res = await call(sim(), "GET", `/api/v2/policies/${lock.id}`);
    expect(res.status).toBe(200);
    expect(res.body.values).toEqual([
      { configFieldID: LOCK_TIMEOUT_FIELD, configFieldName: "timeout", value: 300, sensitive: false },
    ]);
    expect(res.body.template.name).toBe("lock_screen_darwin");
    expect("configFields" in res.body.template).toBe(false);
    const tmpl = orgOf(sim()).policyTemplates.find((t) => t.id === res.body.template.id) as Doc;
    expect(res.body.configFields).toEqual(tmpl.configFields);
    expect(res.body.configFields).toEqual([
      {
        id: LOCK_TIMEOUT_FIELD,
        name: "timeout",
        label: "Timeout",
        displayType: "number",
        required: true,
        readOnly: false,
        sensitive: false,
        position: 1,
      },
    ]);
  });

  it("omitPolicyConfigFields: GET /policies/{id} answers without configFields; the template still has them", async () => {
    sim().scenario.omitPolicyConfigFields = true;
    const lock = policies()[0] as Doc;
    const res = await call(sim(), "GET", `/api/v2/policies/${lock.id}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["id", "name", "notes", "template", "values"]);
    const tmpl = await call(sim(), "GET", `/api/v2/policytemplates/${res.body.template.id}`);
    expect(tmpl.body.configFields.map((f: Doc) => f.name)).toEqual(["timeout"]);
  });

  it("the legacy preset answers GET /policies/{id} without configFields", async () => {
    const legacy = await startSimulator({ scenario: "legacy", now: () => NOW });
    try {
      for (const p of orgOf(legacy).policies) {
        const res = await call(legacy, "GET", `/api/v2/policies/${p.id}`);
        expect(res.status).toBe(200);
        expect("configFields" in res.body).toBe(false);
        expect(res.body.values.length).toBeGreaterThan(0);
      }
    } finally {
      await legacy.close();
    }
  });

  it("configFields a scenario stores on a policy win over the template's", async () => {
    const lock = policies()[0] as Doc;
    const own = [{ id: LOCK_TIMEOUT_FIELD, name: "timeout", label: "Lock after (minutes)" }];
    lock.configFields = own;
    const res = await call(sim(), "GET", `/api/v2/policies/${lock.id}`);
    expect(res.body.configFields).toEqual(own);
  });

  it("GET of an unknown policy answers 404", async () => {
    const res = await call(sim(), "GET", "/api/v2/policies/5f0000070000000000000999");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 404, message: "Policy not found", status: "Not Found" });
  });

  it("POST answers 201 PolicyWithDetails with the template embedded and typed values kept", async () => {
    const tmpl = orgOf(sim()).policyTemplates[3] as Doc;
    const { configFields, ...summary } = tmpl;
    const [bypass] = (configFields as Doc[]).filter((f) => f.name === "bypass_count");
    const values = [
      { configFieldID: bypass?.id, configFieldName: "bypass_count", value: 2, sensitive: false },
    ];
    const res = await call(sim(), "POST", "/api/v2/policies", {
      body: { name: "FileVault", template: { id: tmpl.id }, values },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: res.body.id,
      name: "FileVault",
      notes: "",
      template: summary,
      values,
      configFields,
    });
    expect(tmpl.name).toBe("filevault_2_darwin");
    expect(policies()).toHaveLength(13);
    expect(policies()[12]).toEqual({
      id: res.body.id,
      name: "FileVault",
      notes: "",
      template: summary,
      values,
    });
  });

  it("POST with an unknown template answers 404 and creates nothing", async () => {
    const res = await call(sim(), "POST", "/api/v2/policies", {
      body: { name: "X", template: { id: "5f0f00000000000000000999" } },
    });
    expect(res.status).toBe(404);
    expect(res.body.message).toBe("Policy template not found");
    expect(policies()).toHaveLength(12);
  });

  it("PUT answers 200 with the policy's values (notes §12.1) and keeps the template", async () => {
    const target = policies()[0] as Doc;
    const values = [{ configFieldID: LOCK_TIMEOUT_FIELD, configFieldName: "timeout", value: 120 }];
    const res = await call(sim(), "PUT", `/api/v2/policies/${target.id}`, {
      body: { name: "Lock Screen 2", values },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: target.id,
      name: "Lock Screen 2",
      template: target.template,
      values,
    });
    expect(res.body.configFields.map((f: Doc) => f.name)).toEqual(["timeout"]);
    expect(target.values).toEqual(values);
  });

  it("DELETE answers 204 with an empty body and drops the policy's statuses", async () => {
    const target = policies()[0] as Doc;
    const res = await call(sim(), "DELETE", `/api/v2/policies/${target.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(policies().map((p) => p.id)).not.toContain(target.id);
    expect(orgOf(sim()).policyStatuses.filter((s) => s.policyID === target.id)).toEqual([]);
  });
});

describe("/api/v2/policies/{id}/policystatuses", () => {
  it("returns PolicyResult items with success and state, and no status field", async () => {
    const policy = orgOf(sim()).policies[0] as Doc;
    const res = await call(sim(), "GET", `/api/v2/policies/${policy.id}/policystatuses`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-total-count")).toBe("3");
    expect(res.body).toHaveLength(3);
    for (const result of res.body) {
      expect(result.policyID).toBe(policy.id);
      expect(result.success).toBe(true);
      expect(result.state).toBe("success");
      expect("status" in result).toBe(false);
    }
  });

  it("reflects a failing result", async () => {
    const policy = orgOf(sim()).policies[0] as Doc;
    const stored = orgOf(sim()).policyStatuses.find((s) => s.policyID === policy.id) as Doc;
    Object.assign(stored, { success: false, state: "failed" });
    const res = await call(
      sim(),
      "GET",
      `/api/v2/policies/${policy.id}/policystatuses?filter=success:eq:false`,
    );
    expect(res.body.map((r: Doc) => [r.id, r.success, r.state])).toEqual([[stored.id, false, "failed"]]);
  });

  it("answers 404 for an unknown policy", async () => {
    const res = await call(sim(), "GET", "/api/v2/policies/5f0000070000000000000999/policystatuses");
    expect(res.status).toBe(404);
    expect(res.body.message).toBe("Policy not found");
  });
});

describe("/api/v2/policytemplates", () => {
  it("lists templates, filterable by osMetaFamily, without configFields", async () => {
    const res = await call(sim(), "GET", "/api/v2/policytemplates?filter=osMetaFamily:eq:linux&fields=name");
    expect(res.headers.get("x-total-count")).toBe("4");
    expect(res.body.map((t: Doc) => t.name)).toEqual([
      "lock_screen_linux",
      "luks_full_disk_encryption_linux",
      "local_firewall_controls_linux",
      "automatic_security_updates_linux",
    ]);
    const all = await call(sim(), "GET", "/api/v2/policytemplates?limit=100");
    expect(all.headers.get("x-total-count")).toBe("12");
    for (const t of all.body)
      expect(Object.keys(t).sort()).toEqual(["description", "displayName", "id", "name", "osMetaFamily"]);
  });

  it("GET by id carries configFields; unknown → 404", async () => {
    const tmpl = orgOf(sim()).policyTemplates[0] as Doc;
    const res = await call(sim(), "GET", `/api/v2/policytemplates/${tmpl.id}`);
    expect(res.body).toEqual(tmpl);
    expect(res.body.configFields.map((f: Doc) => f.name)).toEqual(["timeout"]);
    const missing = await call(sim(), "GET", "/api/v2/policytemplates/5f0f00000000000000000999");
    expect(missing.status).toBe(404);
  });
});

describe("/api/v2/ldapservers", () => {
  const ldap = () => orgOf(sim()).ldapServers[0] as Doc;

  it("GET lists and gets by id", async () => {
    const res = await call(sim(), "GET", "/api/v2/ldapservers");
    expect(res.headers.get("x-total-count")).toBe("1");
    expect(res.body).toEqual([
      {
        id: ldap().id,
        name: "JumpCloud LDAP",
        userLockoutAction: "disable",
        userPasswordExpirationAction: "disable",
      },
    ]);
    const one = await call(sim(), "GET", `/api/v2/ldapservers/${ldap().id}`);
    expect(one.body).toEqual(res.body[0]);
  });

  it("PATCH stores the actions", async () => {
    const res = await call(sim(), "PATCH", `/api/v2/ldapservers/${ldap().id}`, {
      body: { userLockoutAction: "remove" },
    });
    expect(res.status).toBe(200);
    expect(res.body.userLockoutAction).toBe("remove");
    expect(ldap().userLockoutAction).toBe("remove");
    expect(ldap().userPasswordExpirationAction).toBe("disable");
  });

  it("PATCH with a value outside disable|remove answers 400 and changes nothing", async () => {
    const res = await call(sim(), "PATCH", `/api/v2/ldapservers/${ldap().id}`, {
      body: { userLockoutAction: "lock" },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("userLockoutAction");
    expect(ldap().userLockoutAction).toBe("disable");
  });
});

describe("plan gating", () => {
  it("the core plan answers 403 on authn policies and IP lists", async () => {
    const core = await startSimulator({ scenario: "core", now: () => NOW });
    try {
      for (const [method, path] of [
        ["GET", "/api/v2/authn/policies"],
        ["POST", "/api/v2/authn/policies"],
        ["GET", "/api/v2/iplists"],
        ["POST", "/api/v2/iplists"],
      ] as const) {
        const res = await call(core, method, path, {
          body: method === "POST" ? { name: "x", ips: [] } : undefined,
        });
        expect(res.status).toBe(403);
        expect(res.body).toEqual({
          code: 403,
          message: "Conditional Access is not available on this plan",
          status: "Forbidden",
        });
      }
      const policies = await call(core, "GET", "/api/v2/policies");
      expect(policies.status).toBe(200);
    } finally {
      await core.close();
    }
  });
});
