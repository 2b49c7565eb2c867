/** Scenario files and validation (sim/scenario.ts). */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildPreset } from "../../sim/presets/index.js";
import { DEFAULT_SIM_API_KEY, emptyOrg, loadScenarioFile, parseScenario } from "../../sim/scenario.js";
import { startSimulator } from "../../sim/server.js";
import { call, NOW } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "sim-scenario-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const ORG = { _id: "5f00000000000000000000b1", displayName: "From File" };

describe("loadScenarioFile", () => {
  it("loads a minimal file and fills in the defaults", () => {
    const path = file(
      "minimal.json",
      JSON.stringify({ name: "minimal", organizations: [{ organization: ORG }] }),
    );
    const scenario = loadScenarioFile(path);
    expect(scenario).toEqual({
      name: "minimal",
      plan: "platform",
      apiKey: DEFAULT_SIM_API_KEY,
      organizations: [emptyOrg(ORG)],
    });
  });

  it("round-trips a preset through JSON and serves it", async () => {
    const preset = buildPreset("compliant", NOW);
    const path = file("compliant.json", JSON.stringify({ ...preset, apiKey: "file-key-123456" }));
    expect(loadScenarioFile(path)).toEqual({ ...preset, apiKey: "file-key-123456" });
    const sim = await startSimulator({ scenario: path, now: () => NOW });
    try {
      expect(sim.apiKey).toBe("file-key-123456");
      const res = await call(sim, "GET", "/api/systemusers?limit=1");
      expect(res.status).toBe(200);
      expect(res.body.totalCount).toBe(24);
    } finally {
      await sim.close();
    }
  });

  it("names the file when it is not JSON", () => {
    const path = file("broken.json", '{"name": "broken", ');
    expect(() => loadScenarioFile(path)).toThrow(
      new RegExp(`^Scenario file ${escapeRegExp(path)} is not valid JSON: `),
    );
  });

  it("names the file when it cannot be read", () => {
    const path = join(dir, "missing.json");
    expect(() => loadScenarioFile(path)).toThrow(`Cannot read scenario file ${path}: ENOENT`);
  });

  it("names the path of a missing organizations list", () => {
    const path = file("no-orgs.json", JSON.stringify({ name: "x" }));
    expect(() => loadScenarioFile(path)).toThrow(
      new RegExp(`^Invalid scenario file ${escapeRegExp(path)}: organizations: `),
    );
  });

  it("names the field of a bad _id", () => {
    const path = file(
      "bad-id.json",
      JSON.stringify({
        name: "x",
        organizations: [
          { organization: ORG, systemUsers: [{ _id: "5f00000000000000000000c1" }, { _id: "user-2" }] },
        ],
      }),
    );
    expect(() => loadScenarioFile(path)).toThrow(
      `Invalid scenario file ${path}: organizations.0.systemUsers.1._id: _id must be 24 hex digits`,
    );
  });
});

describe("parseScenario", () => {
  it.each([
    [{ name: "x", organizations: [] }, "organizations: a scenario needs at least one organization"],
    [
      { name: "x", organizations: [{ organization: { _id: "acme" } }] },
      "organizations.0.organization._id: _id must be 24 hex digits",
    ],
    [
      { name: "x", organizations: [{ organization: ORG, ipLists: [{ name: "no id" }] }] },
      "organizations.0.ipLists.0.id: ",
    ],
    [{ name: "x", plan: "enterprise", organizations: [{ organization: ORG }] }, "plan: "],
    [{ name: "x", apiKey: "short", organizations: [{ organization: ORG }] }, "apiKey: "],
    [{ name: "", organizations: [{ organization: ORG }] }, "name: "],
    [[], "(root): "],
  ])("rejects %j naming the problem", (input, message) => {
    expect(() => parseScenario(input)).toThrow(`Invalid scenario: ${message}`);
  });
});

describe("unknown preset", () => {
  it("startSimulator rejects an unknown name, listing the presets", async () => {
    await expect(startSimulator({ scenario: "enterprise" })).rejects.toThrow(
      'Unknown scenario "enterprise": use one of compliant, demo, large, free, core, legacy or a path to a .json file',
    );
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
