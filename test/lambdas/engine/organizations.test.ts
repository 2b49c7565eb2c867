/** Discovery of an MSP key's organizations (lambdas/engine/organizations.ts) against the simulator over HTTP. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DiscoveryError, discoverOrganizations } from "../../../lambdas/engine/organizations.js";
import { JumpCloudError } from "../../../lambdas/jumpcloud/errors.js";
import { DEFAULT_SIM_API_KEY, type RunningSimulator, startSimulator } from "../../../sim/index.js";
import { hardenedOrg } from "../../../sim/presets/compliant.js";
import { NOW } from "../../helpers/audit.js";
import { rejection, simClient } from "../../helpers/simulator.js";

/** Five organizations, listed out of order; pages of two make three pages. */
const IDS = ["5f00000000000000000000e5", "5f00000000000000000000a1", "5f00000000000000000000c3"];
const MORE = ["5f00000000000000000000b2", "5f00000000000000000000d4"];
const ALL = [...IDS, ...MORE];
const SORTED = [...ALL].sort();

let sim: RunningSimulator;
beforeEach(async () => {
  sim = await startSimulator({
    scenario: {
      name: "msp",
      plan: "platform",
      apiKey: DEFAULT_SIM_API_KEY,
      organizations: ALL.map((orgId, i) =>
        hardenedOrg(NOW, { name: `Tenant ${i}`, orgId, users: 1, systems: 0 }),
      ),
    },
    now: () => NOW,
  });
});
afterEach(async () => {
  await sim.close();
});

const client = () => simClient(sim, { pageSize: 2 });

describe("discoverOrganizations", () => {
  it("reads every page without x-org-id and returns ids and names sorted by id", async () => {
    const found = await discoverOrganizations(client());
    expect(found.map((o) => o.orgId)).toEqual(SORTED);
    expect(found[0]).toEqual({ orgId: "5f00000000000000000000a1", name: "Tenant 1" });
    const reads = sim.requests.filter((r) => r.path === "/api/organizations");
    expect(reads.map((r) => new URLSearchParams(r.query).get("skip"))).toEqual(["0", "2", "4"]);
    expect(reads.every((r) => r.orgId === undefined && r.status === 200)).toBe(true);
  });

  it("drops excluded organizations and keeps only included ones (case-insensitively)", async () => {
    const found = await discoverOrganizations(client(), {
      include: [ALL[0] as string, ALL[1] as string, (ALL[2] as string).toUpperCase()],
      exclude: [(ALL[1] as string).toUpperCase()],
    });
    expect(found.map((o) => o.orgId)).toEqual([ALL[2], ALL[0]]);
  });

  it.each([
    ["a short page", { kind: "short-page", drop: 1, atSkip: 2 }],
    ["an empty page", { kind: "empty-page", atSkip: 2 }],
    ["a repeated page", { kind: "repeat-page", of: 0, atSkip: 2 }],
    ["a lying total", { kind: "total", total: 7 }],
    ["a total that changes mid-read", { kind: "total", total: 4, atSkip: 4 }],
    ["no total", { kind: "total", total: null }],
  ] as const)("%s ends in INCOMPLETE_COLLECTION, never a shorter portfolio", async (_, fault) => {
    sim.faults.add({ ...fault, path: "/api/organizations" });
    const error = await rejection(discoverOrganizations(client()));
    expect(error).toBeInstanceOf(JumpCloudError);
    expect(error.code).toBe("INCOMPLETE_COLLECTION");
    expect(error.message).toMatch(/^Incomplete collection: .+\(GET \/api\/organizations\)$/);
  });

  it("an id that is not 24 hexadecimal characters is MALFORMED_RESPONSE, naming no value", async () => {
    const org = sim.scenario.organizations[3]?.organization;
    if (!org) throw new Error("no fourth organization");
    org._id = "../../x-org-id\r\nInjected";
    const error = await rejection(discoverOrganizations(client()));
    expect(error).toMatchObject({ code: "MALFORMED_RESPONSE" });
    expect(error.message).toMatch(
      /^An organization id is not 24 hexadecimal characters \(item [1-5] of the list\) \(GET \/api\/organizations\)$/,
    );
  });

  it("one id in two spellings counts once (the paginator compares exactly)", async () => {
    const org = sim.scenario.organizations[4]?.organization;
    if (!org) throw new Error("no fifth organization");
    org._id = (ALL[0] as string).toUpperCase();
    const found = await discoverOrganizations(client());
    expect(found.map((o) => o.orgId.toLowerCase())).toEqual(ALL.slice(0, 4).sort());
  });

  it("more than max organizations is TOO_MANY_ORGANIZATIONS, exactly max is fine", async () => {
    expect(await discoverOrganizations(client(), { max: 5 })).toHaveLength(5);
    const error = await rejection(discoverOrganizations(client(), { max: 4 }));
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error.code).toBe("TOO_MANY_ORGANIZATIONS");
    expect(error.message).toMatch(/more than 4 organizations/);
    // Exclusions count before the cap: four left of five.
    expect(await discoverOrganizations(client(), { max: 4, exclude: [ALL[0] as string] })).toHaveLength(4);
  });

  it("nothing left after the exclusions is an empty list (callers decide)", async () => {
    expect(await discoverOrganizations(client(), { exclude: ALL })).toEqual([]);
  });
});
