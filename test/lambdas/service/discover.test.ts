/** The fan-out's discovery step (lambdas/service/discover.ts) against the simulator over HTTP. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JumpCloudClient } from "../../../lambdas/jumpcloud/client.js";
import {
  type DiscoveryDependencies,
  type OrgSelection,
  runDiscovery,
} from "../../../lambdas/service/discover.js";
import { silentLogger } from "../../../lambdas/shared/logger.js";
import { DEFAULT_SIM_API_KEY, type RunningSimulator, startSimulator } from "../../../sim/index.js";
import { hardenedOrg } from "../../../sim/presets/compliant.js";
import { NOW } from "../../helpers/audit.js";
import { rejection, simClient } from "../../helpers/simulator.js";

const ORG_A = "5f00000000000000000000a1";
const ORG_B = "5f00000000000000000000b2";
const ORG_C = "5f00000000000000000000c3";
const NOT_SEEN = "5f00000000000000000000ff";
const event = { action: "discover" as const, eventId: "exec-1", time: NOW.toISOString() };

let sim: RunningSimulator;
beforeEach(async () => {
  sim = await startSimulator({
    scenario: {
      name: "msp",
      plan: "platform",
      apiKey: DEFAULT_SIM_API_KEY,
      organizations: [ORG_C, ORG_A, ORG_B].map((orgId) =>
        hardenedOrg(NOW, { name: orgId, orgId, users: 1, systems: 0 }),
      ),
    },
    now: () => NOW,
  });
});
afterEach(async () => {
  await sim.close();
});

function deps(settings: OrgSelection, clock = () => NOW): DiscoveryDependencies & { clients: number } {
  const d = {
    clients: 0,
    clientFor: (): JumpCloudClient => {
      d.clients += 1;
      return simClient(sim, { pageSize: 2 });
    },
    logger: silentLogger,
    clock,
    settings,
  };
  return d;
}

describe("runDiscovery", () => {
  it('"all": every organization the key sees, sorted, with the event id and time passed through', async () => {
    expect(await runDiscovery(deps({ orgIds: "all" }), event)).toEqual({
      orgIds: [ORG_A, ORG_B, ORG_C],
      eventId: "exec-1",
      time: event.time,
    });
  });

  it("an empty list (the key's own) discovers too; exclusions apply", async () => {
    const result = await runDiscovery(deps({ orgIds: [], excludeOrgIds: [ORG_B] }), event);
    expect(result.orgIds).toEqual([ORG_A, ORG_C]);
  });

  it("an explicit list is returned as given, sorted, without asking the API (unseen ones end as ERROR later)", async () => {
    const d = deps({ orgIds: [NOT_SEEN, ORG_B, ORG_A, ORG_B.toUpperCase()], excludeOrgIds: [ORG_A] });
    expect((await runDiscovery(d, event)).orgIds).toEqual([ORG_B, NOT_SEEN]);
    expect(d.clients).toBe(0);
    expect(sim.requests).toEqual([]);
  });

  it("an explicit list above 5,000 organizations is TOO_MANY_ORGANIZATIONS; 5,000 is accepted", async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => i.toString(16).padStart(24, "0"));
    expect((await runDiscovery(deps({ orgIds: ids(5000) }), event)).orgIds).toHaveLength(5000);
    const error = await rejection(runDiscovery(deps({ orgIds: ids(5001) }), event));
    expect(error).toMatchObject({ code: "TOO_MANY_ORGANIZATIONS" });
    expect(error.message).toBe(
      "JC_ORG_IDS lists 5001 organizations; at most 5000 are audited by one deployment",
    );
  });

  it("nothing left to audit is NO_ORGANIZATION, not an empty fan-out", async () => {
    const error = await rejection(
      runDiscovery(deps({ orgIds: "all", excludeOrgIds: [ORG_A, ORG_B, ORG_C] }), event),
    );
    expect(error).toMatchObject({ code: "NO_ORGANIZATION" });
    expect(error.message).toBe("No organization is left to audit once JC_ORG_EXCLUDE is applied");
  });

  it("a lying page fails discovery (the execution fails and is retried) rather than shrink the portfolio", async () => {
    sim.faults.add({ kind: "short-page", drop: 1, path: "/api/organizations", atSkip: 2 });
    const error = await rejection(runDiscovery(deps({ orgIds: "all" }), event));
    expect(error).toMatchObject({ code: "INCOMPLETE_COLLECTION" });
  });

  it("an event far from the clock is refused before any request", async () => {
    const error = await rejection(
      runDiscovery(
        deps({ orgIds: "all" }, () => new Date(NOW.getTime() + 3 * 86_400_000)),
        event,
      ),
    );
    expect(error).toMatchObject({ code: "INVALID_EVENT" });
    expect(sim.requests).toEqual([]);
  });
});
