/** v1 routes over real HTTP (sim/routes/v1.ts): organizations, admins, system users, systems, RADIUS. */
import { describe, expect, it } from "vitest";
import type { Doc } from "../../../sim/query.js";
import { call, freshSimulator, orgOf, snapshot } from "../support.js";

const sim = freshSimulator();
const ORG_ID = "5f0000000000000000000001";
const settingsOf = () => orgOf(sim()).organization.settings as Doc;

describe("authentication", () => {
  it.each([
    ["a wrong key", { headers: { "x-api-key": "not-the-key" } }],
    ["no key", { noKey: true }],
  ])("answers 401 {code, message, status} with %s", async (_, options) => {
    const res = await call(sim(), "GET", "/api/systemusers", options);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 401, message: "Unauthorized", status: "Unauthorized" });
  });

  it("answers 404 for an unknown route, after authentication", async () => {
    const res = await call(sim(), "GET", "/api/nothing-here");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      code: 404,
      message: "No route for GET /api/nothing-here",
      status: "Not Found",
    });
  });

  it("answers 400 for a body that is not JSON", async () => {
    const res = await fetch(`${sim().url}/api/users/${orgOf(sim()).admins[0]?._id}`, {
      method: "PUT",
      headers: { "x-api-key": sim().apiKey, "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 400,
      message: "Request body is not valid JSON",
      status: "Bad Request",
      details: [],
    });
  });
});

describe("GET /api/organizations", () => {
  it("lists organizations without settings", async () => {
    const res = await call(sim(), "GET", "/api/organizations");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ totalCount: 1, results: [{ _id: ORG_ID, displayName: "Acme Secure" }] });
  });

  it("includes logoUrl when the organization has one", async () => {
    orgOf(sim()).organization.logoUrl = "https://example.com/logo.png";
    const res = await call(sim(), "GET", "/api/organizations");
    expect(res.body.results).toEqual([
      { _id: ORG_ID, displayName: "Acme Secure", logoUrl: "https://example.com/logo.png" },
    ]);
  });
});

describe("GET /api/organizations/{id}", () => {
  it("returns the organization with its settings", async () => {
    const res = await call(sim(), "GET", `/api/organizations/${ORG_ID}`);
    expect(res.status).toBe(200);
    expect(res.body._id).toBe(ORG_ID);
    expect(res.body.settings.requireAdminMFA).toBe(true);
    expect(res.body.settings.features.directoryInsights).toEqual({ enabled: true });
  });

  it("projects with fields (dotted paths, _id kept)", async () => {
    const res = await call(
      sim(),
      "GET",
      `/api/organizations/${ORG_ID}?fields=displayName%20settings.requireAdminMFA`,
    );
    expect(res.body).toEqual({
      _id: ORG_ID,
      displayName: "Acme Secure",
      settings: { requireAdminMFA: true },
    });
  });

  it("answers 404 for an unknown organization", async () => {
    const res = await call(sim(), "GET", "/api/organizations/5f0000000000000000000999");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 404, message: "Organization ID Not Found", status: "Not Found" });
  });
});

describe("PUT /api/organizations/{id}", () => {
  it("ignores requireAdminMFA: it is read-only (not in organizationsettingsput)", async () => {
    settingsOf().requireAdminMFA = false;
    const res = await call(sim(), "PUT", `/api/organizations/${ORG_ID}`, {
      body: { settings: { requireAdminMFA: true } },
    });
    expect(res.status).toBe(200);
    expect(res.body.settings.requireAdminMFA).toBe(false);
    expect(settingsOf().requireAdminMFA).toBe(false);
  });

  it("stores features.directoryInsights.enabled", async () => {
    (settingsOf().features as Doc).directoryInsights = { enabled: false };
    const res = await call(sim(), "PUT", `/api/organizations/${ORG_ID}`, {
      body: { settings: { features: { directoryInsights: { enabled: true } } } },
    });
    expect(res.status).toBe(200);
    expect(res.body.settings.features.directoryInsights).toEqual({ enabled: true });
    const again = await call(sim(), "GET", `/api/organizations/${ORG_ID}?fields=settings.features`);
    expect(again.body.settings.features.directoryInsights).toEqual({ enabled: true });
  });

  it("keeps the top-level settings it was not sent", async () => {
    const before = snapshot(settingsOf());
    const res = await call(sim(), "PUT", `/api/organizations/${ORG_ID}`, {
      body: { settings: { contactName: "Security Team" } },
    });
    expect(res.status).toBe(200);
    expect(settingsOf()).toEqual({ ...before, contactName: "Security Team" });
  });

  it("answers 400 and changes nothing for a body outside the contract", async () => {
    const before = snapshot(settingsOf());
    const res = await call(sim(), "PUT", `/api/organizations/${ORG_ID}`, {
      body: { settings: { passwordCompliance: "strict", contactName: "X" } },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(400);
    expect(res.body.status).toBe("Bad Request");
    expect(res.body.message).toContain("Invalid request body");
    expect(res.body.details).toEqual([]);
    expect(settingsOf()).toEqual(before);
  });

  it("answers 400 when x-org-id and the path id differ", async () => {
    const before = snapshot(settingsOf());
    const res = await call(sim(), "PUT", `/api/organizations/${ORG_ID}`, {
      headers: { "x-org-id": "5f0000000000000000000002" },
      body: { settings: { contactName: "X" } },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 400,
      message: "x-org-id and Organization path ID do not match",
      status: "Bad Request",
      details: [],
    });
    expect(settingsOf()).toEqual(before);
  });

  it("accepts a matching x-org-id", async () => {
    const res = await call(sim(), "PUT", `/api/organizations/${ORG_ID}`, {
      headers: { "x-org-id": ORG_ID },
      body: { settings: { contactName: "X" } },
    });
    expect(res.status).toBe(200);
    expect(settingsOf().contactName).toBe("X");
  });

  it("answers 404 for an unknown organization", async () => {
    const res = await call(sim(), "PUT", "/api/organizations/5f0000000000000000000999", {
      body: { settings: { contactName: "X" } },
    });
    expect(res.status).toBe(404);
    expect(res.body.message).toBe("Organization ID Not Found");
  });
});

describe("administrators: /api/users", () => {
  it("lists admins as {totalCount, results}", async () => {
    const res = await call(sim(), "GET", "/api/users");
    expect(res.status).toBe(200);
    expect(res.body.totalCount).toBe(4);
    expect(
      res.body.results.map((a: Doc) => [a.email, a.roleName, a.enableMultiFactor, a.totpEnrolled]),
    ).toEqual([
      ["alice.owner@example.com", "Administrator With Billing", true, true],
      ["bob.admin@example.com", "Administrator", true, true],
      ["carol.helpdesk@example.com", "Help Desk", true, true],
      ["dave.auditor@example.com", "Read Only", true, true],
    ]);
  });

  it("PUT {enableMultiFactor: true} persists", async () => {
    const admin = orgOf(sim()).admins[1] as Doc;
    admin.enableMultiFactor = false;
    const res = await call(sim(), "PUT", `/api/users/${admin._id}`, { body: { enableMultiFactor: true } });
    expect(res.status).toBe(200);
    expect(res.body._id).toBe(admin._id);
    expect(res.body.enableMultiFactor).toBe(true);
    const list = await call(sim(), "GET", "/api/users?filter=email:$eq:bob.admin@example.com");
    expect(list.body.results.map((a: Doc) => a.enableMultiFactor)).toEqual([true]);
  });

  it("PUT ignores fields userput does not have (totpEnrolled is not writable)", async () => {
    const admin = orgOf(sim()).admins[1] as Doc;
    admin.totpEnrolled = false;
    const res = await call(sim(), "PUT", `/api/users/${admin._id}`, { body: { totpEnrolled: true } });
    expect(res.status).toBe(200);
    expect(admin.totpEnrolled).toBe(false);
  });

  it("PUT on an unknown id answers 404", async () => {
    const res = await call(sim(), "PUT", "/api/users/5f0000010000000000000999", {
      body: { enableMultiFactor: true },
    });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 404, message: "Administrator not found", status: "Not Found" });
  });
});

describe("GET /api/systemusers", () => {
  it("pages with the default limit 10 and reports the total", async () => {
    const res = await call(sim(), "GET", "/api/systemusers");
    expect(res.status).toBe(200);
    expect(res.body.totalCount).toBe(24);
    expect(res.body.results).toHaveLength(10);
    expect(res.body.results[0]._id).toBe(orgOf(sim()).systemUsers[0]?._id);
  });

  it("honours limit and skip", async () => {
    const res = await call(sim(), "GET", "/api/systemusers?limit=5&skip=20");
    expect(res.body.totalCount).toBe(24);
    expect(res.body.results.map((u: Doc) => u._id)).toEqual(
      orgOf(sim())
        .systemUsers.slice(20)
        .map((u) => u._id),
    );
  });

  it("sorts (space-separated, - descending) and projects fields", async () => {
    const res = await call(sim(), "GET", "/api/systemusers?sort=-username&fields=username&limit=3");
    const expected = orgOf(sim())
      .systemUsers.map((u) => ({ _id: u._id, username: u.username }))
      .sort((a, b) => (String(a.username) < String(b.username) ? 1 : -1))
      .slice(0, 3);
    expect(res.body.results).toEqual(expected);
  });

  it("filters, with totalCount counting the matches", async () => {
    const user = orgOf(sim()).systemUsers[3] as Doc;
    user.totp_enabled = false;
    const res = await call(sim(), "GET", "/api/systemusers?filter=totp_enabled:$eq:false&fields=username");
    expect(res.body).toEqual({ totalCount: 1, results: [{ _id: user._id, username: user.username }] });
  });

  it("answers 400 for a malformed filter or negative skip", async () => {
    const bad = await call(sim(), "GET", "/api/systemusers?filter=username");
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      code: 400,
      message: 'Malformed v1 filter "username": expected field:op:value',
      status: "Bad Request",
      details: [],
    });
    const skip = await call(sim(), "GET", "/api/systemusers?skip=-1");
    expect(skip.status).toBe(400);
    expect(skip.body.message).toBe("skip must not be negative");
  });

  it("GET /api/systemusers/{id} with fields; unknown → 404", async () => {
    const user = orgOf(sim()).systemUsers[0] as Doc;
    const res = await call(sim(), "GET", `/api/systemusers/${user._id}?fields=mfa.configured%20state`);
    expect(res.body).toEqual({ _id: user._id, mfa: { configured: true }, state: "ACTIVATED" });
    const missing = await call(sim(), "GET", "/api/systemusers/5f0000020000000000000999");
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe("User not found");
  });
});

describe("systems", () => {
  it("GET /api/systems lists the devices", async () => {
    const res = await call(sim(), "GET", "/api/systems?limit=100&fields=hostname");
    expect(res.body.totalCount).toBe(9);
    expect(res.body.results.map((s: Doc) => s.hostname)).toEqual([
      "darwin-001",
      "windows-002",
      "linux-003",
      "darwin-004",
      "windows-005",
      "linux-006",
      "darwin-007",
      "windows-008",
      "linux-009",
    ]);
  });

  it("PUT stores the writable fields and ignores the others", async () => {
    const system = orgOf(sim()).systems[2] as Doc;
    const res = await call(sim(), "PUT", `/api/systems/${system._id}`, {
      body: { allowSshRootLogin: true, hostname: "renamed" },
    });
    expect(res.status).toBe(200);
    expect(res.body.allowSshRootLogin).toBe(true);
    expect(res.body.hostname).toBe("linux-003");
    const again = await call(sim(), "GET", `/api/systems/${system._id}?fields=allowSshRootLogin`);
    expect(again.body).toEqual({ _id: system._id, allowSshRootLogin: true });
  });

  it("GET and PUT of an unknown system answer 404", async () => {
    const get = await call(sim(), "GET", "/api/systems/5f0000030000000000000999");
    expect(get.status).toBe(404);
    expect(get.body.message).toBe("System not found");
    const put = await call(sim(), "PUT", "/api/systems/5f0000030000000000000999", {
      body: { allowSshRootLogin: false },
    });
    expect(put.status).toBe(404);
  });
});

describe("RADIUS servers", () => {
  const radius = () => orgOf(sim()).radiusServers[0] as Doc;

  it("GET includes sharedSecret (the real API returns it)", async () => {
    const res = await call(sim(), "GET", "/api/radiusservers");
    expect(res.body.totalCount).toBe(1);
    expect(res.body.results[0].sharedSecret).toBe("k7#Qv9!mZ2pL8xR4wT6yB1nC3sD5fG0h");
    const one = await call(sim(), "GET", `/api/radiusservers/${radius()._id}`);
    expect(one.body.sharedSecret).toBe("k7#Qv9!mZ2pL8xR4wT6yB1nC3sD5fG0h");
  });

  it("PUT without sharedSecret answers 400 and changes nothing", async () => {
    const before = snapshot(radius());
    const res = await call(sim(), "PUT", `/api/radiusservers/${radius()._id}`, {
      body: { name: "Office Wi-Fi", networkSourceIp: "203.0.113.1", mfa: "ALWAYS" },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("sharedSecret");
    expect(radius()).toEqual(before);
  });

  it("PUT with the required fields answers 200 without sharedSecret and stores the change", async () => {
    const res = await call(sim(), "PUT", `/api/radiusservers/${radius()._id}`, {
      body: {
        name: "Office Wi-Fi",
        networkSourceIp: "203.0.113.1",
        sharedSecret: "n3w-Secret-Value-0123456789abcdef",
        mfa: "ALWAYS",
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.mfa).toBe("ALWAYS");
    expect(res.body._id).toBe(radius()._id);
    expect("sharedSecret" in res.body).toBe(false);
    expect(radius().mfa).toBe("ALWAYS");
    expect(radius().sharedSecret).toBe("n3w-Secret-Value-0123456789abcdef");
  });

  it("PUT cannot change _id or organization", async () => {
    const id = radius()._id;
    const res = await call(sim(), "PUT", `/api/radiusservers/${id}`, {
      body: {
        _id: "5f0000040000000000000999",
        organization: "5f0000000000000000000999",
        name: "Office Wi-Fi",
        networkSourceIp: "203.0.113.1",
        sharedSecret: "x",
      },
    });
    expect(res.status).toBe(200);
    expect(radius()._id).toBe(id);
    expect(radius().organization).toBe(ORG_ID);
  });

  it("PUT on an unknown server answers 404", async () => {
    const res = await call(sim(), "PUT", "/api/radiusservers/5f0000040000000000000999", {
      body: { name: "x", networkSourceIp: "203.0.113.1", sharedSecret: "x" },
    });
    expect(res.status).toBe(404);
    expect(res.body.message).toBe("RADIUS server not found");
  });
});
