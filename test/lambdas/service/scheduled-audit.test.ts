/**
 * The scheduled audit service with in-memory fakes (no AWS): a Map state store, the local findings store
 * in a temp folder, a notifier that records, and the simulator behind the real client and engine.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { BatchImportFindingsCommand, SecurityHubClient } from "@aws-sdk/client-securityhub";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { securityHubSink } from "../../../lambdas/adapters/securityhub.js";
import type { ControlFinding } from "../../../lambdas/engine/findings.js";
import type { JumpCloudClient } from "../../../lambdas/jumpcloud/client.js";
import { productTarget } from "../../../lambdas/securityhub/asff.js";
import { type FindingsExporter, securityHubExporter } from "../../../lambdas/securityhub/importer.js";
import type { AlertMessage, Notifier } from "../../../lambdas/service/notifier.js";
import {
  runScheduledAudit,
  type ScheduledAuditDependencies,
} from "../../../lambdas/service/scheduled-audit.js";
import { type ControlHealth, type StateStore, stateKeys } from "../../../lambdas/service/state-store.js";
import { silentLogger } from "../../../lambdas/shared/logger.js";
import { layout } from "../../../lambdas/store/findings-store.js";
import { localFindingsStore } from "../../../lambdas/store/local-store.js";
import {
  DEFAULT_SIM_API_KEY,
  type RunningSimulator,
  type Scenario,
  startSimulator,
} from "../../../sim/index.js";
import { COMPLIANT_ORG_ID, hardenedOrg } from "../../../sim/presets/compliant.js";
import { NOW } from "../../helpers/audit.js";
import { rejection, simClient } from "../../helpers/simulator.js";

/** A Map-backed state store that counts writes. */
function memoryState(): StateStore & { docs: Map<string, unknown>; puts: number } {
  const docs = new Map<string, unknown>();
  const state = {
    docs,
    puts: 0,
    async getJson<T>(key: string) {
      return structuredClone(docs.get(key)) as T | undefined;
    },
    async putJson(key: string, value: unknown) {
      state.puts += 1;
      docs.set(key, structuredClone(value));
    },
  };
  return state;
}

/** A notifier that records messages; `failNext(n)` lets n publishes through, then makes one throw. */
function recordingNotifier(): Notifier & { messages: AlertMessage[]; failNext(after?: number): void } {
  let failIn: number | undefined;
  const messages: AlertMessage[] = [];
  return {
    messages,
    failNext(after = 0) {
      failIn = after;
    },
    async publish(message) {
      if (failIn === 0) {
        failIn = undefined;
        throw new Error("SNS unavailable");
      }
      if (failIn !== undefined) failIn -= 1;
      messages.push(message);
    },
  };
}

/** Every file under a folder, relative to it, sorted. */
async function files(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** The n-th scheduled event of control 1.1, one hour apart. */
const event = (n: number, controlId = "1.1") => ({
  controlId,
  eventId: `evt-${n}`,
  time: new Date(NOW.getTime() + n * 3_600_000).toISOString(),
});

let root: string;
let sim: RunningSimulator;
/** The wall clock the service sees (events more than a day from it are refused). */
let wallClock: Date;
let state: ReturnType<typeof memoryState>;
let notifier: ReturnType<typeof recordingNotifier>;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "scheduled-audit-"));
  wallClock = NOW;
  state = memoryState();
  notifier = recordingNotifier();
});
afterEach(async () => {
  await sim?.close();
  await rm(root, { recursive: true, force: true });
});

function deps(
  settings: Partial<ScheduledAuditDependencies["settings"]> = {},
  clientFor?: ScheduledAuditDependencies["clientFor"],
): ScheduledAuditDependencies {
  return {
    clientFor:
      clientFor ?? ((orgId) => simClient(sim, { ...(orgId ? { orgId } : {}), retry: { maxAttempts: 2 } })),
    store: localFindingsStore(root),
    state,
    notifier,
    logger: silentLogger,
    clock: () => wallClock,
    locate: (orgId, controlId) => ({
      uri: `s3://findings-bucket/${layout.latest(orgId, controlId)}`,
      consoleUrl: `https://console.example/${orgId}/${controlId}`,
    }),
    settings: { orgIds: [], announceRecoveries: false, errorAlertAfter: 3, ...settings },
  };
}

const admins = (orgIndex = 0) => sim.scenario.organizations[orgIndex]?.admins ?? [];
/** bob.admin@example.com, a full administrator of the compliant organization. */
const bob = (orgIndex = 0) => {
  const found = admins(orgIndex).find((a) => a.email === "bob.admin@example.com");
  if (!found) throw new Error("bob.admin not in the scenario");
  return found;
};

describe("runScheduledAudit: regressions and at-least-once delivery", () => {
  beforeEach(async () => {
    sim = await startSimulator({ scenario: "compliant", now: () => NOW });
  });

  it("takes the first run as the baseline: PASS, persisted, no alert", async () => {
    const outcomes = await runScheduledAudit(deps(), event(1));
    expect(outcomes).toEqual([{ orgId: COMPLIANT_ORG_ID, status: "PASS", regressions: 0, published: 0 }]);
    expect(notifier.messages).toEqual([]);
    expect(await files(root)).toEqual([
      `findings/${COMPLIANT_ORG_ID}/1.1/history/${event(1).time.replace(/:/g, "-")}.json`,
      `findings/${COMPLIANT_ORG_ID}/1.1/last-evaluated.json`,
      `findings/${COMPLIANT_ORG_ID}/1.1/latest.json`,
      expect.stringMatching(new RegExp(`^runs/${COMPLIANT_ORG_ID}/\\d{8}T\\d{6}Z-[0-9a-f]{6}\\.json$`)),
    ]);
    expect(state.docs.get(stateKeys.event(COMPLIANT_ORG_ID, "1.1", "evt-1"))).toEqual({
      sent: [],
      healthTracked: true,
      done: true,
    });
  });

  it("announces a drift exactly once, as one regression message for the control", async () => {
    await runScheduledAudit(deps(), event(1));
    bob().enableMultiFactor = false;
    const outcomes = await runScheduledAudit(deps(), event(2));
    // Two regressions (the control went PASS → FAIL, and bob newly fails), one message.
    expect(outcomes).toEqual([{ orgId: COMPLIANT_ORG_ID, status: "FAIL", regressions: 2, published: 1 }]);

    expect(notifier.messages).toHaveLength(1);
    const [message] = notifier.messages as [AlertMessage];
    expect(message.attributes).toEqual({
      controlId: "1.1",
      severity: "critical",
      level: "L1",
      kind: "regression",
      orgId: COMPLIANT_ORG_ID,
    });
    expect(message.subject).toBe("[JumpCloud CRITICAL] 1.1 Secure Admin Portal Access: 2 regressions");
    expect(message.email).toContain("What got worse since the last run:");
    expect(message.email).toContain("bob.admin@example.com");
    expect(message.email).toContain("is now FAIL");
    expect(message.chatbot.metadata.threadId).toBe(`jumpcloud-${COMPLIANT_ORG_ID}-1.1`);
    expect(message.chatbot.metadata.relatedResources).toContain("bob.admin@example.com");

    // The same failure on the next event is not news.
    const later = await runScheduledAudit(deps(), event(3));
    expect(later[0]).toMatchObject({ status: "FAIL", regressions: 0, published: 0 });
    expect(notifier.messages).toHaveLength(1);
  });

  it("ignores a re-delivered event: DUPLICATE, nothing published, nothing written", async () => {
    await runScheduledAudit(deps(), event(1));
    bob().enableMultiFactor = false;
    await runScheduledAudit(deps(), event(2));
    const written = await files(root);
    const puts = state.puts;
    const requests = sim.requests.length;

    const again = await runScheduledAudit(deps(), event(2));
    expect(again).toEqual([{ orgId: COMPLIANT_ORG_ID, status: "DUPLICATE", regressions: 0, published: 0 }]);
    expect(notifier.messages).toHaveLength(1);
    expect(await files(root)).toEqual(written);
    expect(state.puts).toBe(puts);
    // The org is resolved to find the marker, but nothing is audited.
    expect(sim.requests.slice(requests).map((r) => r.path)).toEqual(["/api/organizations"]);
  });

  it("a failed publish fails the run; the retried event publishes exactly once and persists", async () => {
    await runScheduledAudit(deps(), event(1));
    bob().enableMultiFactor = false;
    const before = await files(root);

    notifier.failNext();
    const error = await rejection(runScheduledAudit(deps(), event(2)));
    expect(error.message).toBe("SNS unavailable");
    expect(notifier.messages).toEqual([]);
    // Nothing persisted, so the retry compares against the same baseline.
    expect(await files(root)).toEqual(before);
    expect(state.docs.has(stateKeys.event(COMPLIANT_ORG_ID, "1.1", "evt-2"))).toBe(false);

    const retried = await runScheduledAudit(deps(), event(2));
    expect(retried[0]).toMatchObject({ status: "FAIL", regressions: 2, published: 1 });
    expect(notifier.messages.map((m) => m.attributes.kind)).toEqual(["regression"]);
    expect((await files(root)).filter((f) => f.includes("/history/"))).toHaveLength(2);

    await runScheduledAudit(deps(), event(2));
    expect(notifier.messages).toHaveLength(1);
  });

  it.each([
    [false, []],
    [true, ["recovery"]],
  ])("announces recoveries only when announceRecoveries is %s", async (announce, kinds) => {
    bob().enableMultiFactor = false;
    await runScheduledAudit(deps({ announceRecoveries: announce }), event(1));
    bob().enableMultiFactor = true;
    const outcomes = await runScheduledAudit(deps({ announceRecoveries: announce }), event(2));
    expect(outcomes[0]?.status).toBe("PASS");
    expect(notifier.messages.map((m) => m.attributes.kind)).toEqual(kinds);
    if (announce) {
      expect(notifier.messages[0]?.subject).toBe(
        "[JumpCloud recovered] 1.1 Secure Admin Portal Access: now PASS",
      );
      expect(notifier.messages[0]?.email).toContain("bob.admin@example.com");
    }
  });
});

describe("runScheduledAudit: a publish that fails half-way", () => {
  beforeEach(async () => {
    sim = await startSimulator({ scenario: "compliant", now: () => NOW });
  });

  it("resends only what was not sent: the regression once, then the recovery", async () => {
    const carol = admins().find((a) => a.email === "carol.helpdesk@example.com") as Record<string, unknown>;
    carol.enableMultiFactor = false;
    await runScheduledAudit(deps({ announceRecoveries: true }), event(1));
    // One admin recovers while another regresses: two messages for the same event.
    carol.enableMultiFactor = true;
    bob().enableMultiFactor = false;
    notifier.failNext(1);
    await rejection(runScheduledAudit(deps({ announceRecoveries: true }), event(2)));
    expect(notifier.messages.map((m) => m.attributes.kind)).toEqual(["regression"]);
    await runScheduledAudit(deps({ announceRecoveries: true }), event(2));
    expect(notifier.messages.map((m) => m.attributes.kind)).toEqual(["regression", "recovery"]);
  });
});

describe("runScheduledAudit: evaluation failures", () => {
  beforeEach(async () => {
    sim = await startSimulator({ scenario: "compliant", now: () => NOW });
  });

  const kinds = () => notifier.messages.map((m) => m.attributes.kind);
  const health = () => state.docs.get(stateKeys.health(COMPLIANT_ORG_ID, "1.1")) as ControlHealth | undefined;

  it("alerts once on the 3rd consecutive ERROR, not on the 4th, and a PASS resets the streak", async () => {
    let n = 0;
    const run = async () => (await runScheduledAudit(deps(), event(++n)))[0];
    expect((await run())?.status).toBe("PASS");

    sim.faults.add({ kind: "status", status: 500, method: "GET", path: "/api/users" });
    expect(await run()).toMatchObject({ status: "ERROR", published: 0 });
    expect(await run()).toMatchObject({ status: "ERROR", published: 0 });
    expect(notifier.messages).toEqual([]);
    expect(await run()).toMatchObject({ status: "ERROR", published: 1 });
    expect(kinds()).toEqual(["evaluation-failure"]);
    const [alert] = notifier.messages as [AlertMessage];
    expect(alert.subject).toBe("[JumpCloud audit failing] 1.1 Secure Admin Portal Access: SERVER_ERROR");
    expect(alert.email).toContain("could not be evaluated 3 runs in a row");
    expect(alert.attributes).toMatchObject({ controlId: "1.1", orgId: COMPLIANT_ORG_ID });
    expect(await run()).toMatchObject({ status: "ERROR", published: 0 });
    expect(kinds()).toEqual(["evaluation-failure"]);
    expect(health()).toEqual({ consecutiveErrors: 4, lastErrorCode: "SERVER_ERROR", alerted: true });

    sim.faults.clear();
    // Back to PASS: neither a recovery nor a regression (ERROR says nothing about posture).
    expect(await run()).toMatchObject({ status: "PASS", regressions: 0, published: 0 });
    expect(health()).toEqual({ consecutiveErrors: 0, alerted: false });

    sim.faults.add({ kind: "status", status: 500, method: "GET", path: "/api/users" });
    await run();
    await run();
    expect(kinds()).toEqual(["evaluation-failure"]);
    await run();
    expect(kinds()).toEqual(["evaluation-failure", "evaluation-failure"]);
  });

  it("alerts on the FIRST run when JumpCloud rejects the key, with the put-secret-value remedy", async () => {
    const outcomes = await runScheduledAudit(
      deps({ orgIds: [COMPLIANT_ORG_ID] }, (orgId) =>
        simClient(sim, { apiKey: "wrong-key-0000000000000000", ...(orgId ? { orgId } : {}) }),
      ),
      event(1),
    );
    expect(outcomes).toEqual([{ orgId: COMPLIANT_ORG_ID, status: "ERROR", regressions: 0, published: 1 }]);
    expect(kinds()).toEqual(["evaluation-failure"]);
    const [alert] = notifier.messages as [AlertMessage];
    expect(alert.subject).toContain("AUTH_REJECTED");
    expect(alert.email).toContain("aws secretsmanager put-secret-value");
    expect(alert.chatbot.content.nextSteps?.[0]).toContain("put-secret-value");
    expect(sim.requests.every((r) => r.status === 401)).toBe(true);
  });

  it("without configured org ids a rejected key alerts once, with what to do, and fails the invocation", async () => {
    const wrongKey = () => simClient(sim, { apiKey: "wrong-key-0000000000000000" });
    const error = await rejection(runScheduledAudit(deps({}, wrongKey), event(1)));
    expect(error.code).toBe("AUTH_REJECTED");
    expect(await files(root)).toEqual([]);
    expect(kinds()).toEqual(["evaluation-failure"]);
    expect(notifier.messages[0]?.email).toMatch(/aws secretsmanager put-secret-value/);
    expect(notifier.messages[0]?.attributes.orgId).toBe("unresolved");
    await rejection(runScheduledAudit(deps({}, wrongKey), event(2)));
    expect(kinds()).toEqual(["evaluation-failure"]);
  });
});

describe("runScheduledAudit: the baseline survives long ERROR streaks", () => {
  beforeEach(async () => {
    sim = await startSimulator({ scenario: "compliant", now: () => NOW });
  });

  it("a baseline PASS, 62 runs in ERROR, then a FAIL: the regression is published", async () => {
    let n = 0;
    // One run an hour for 64 hours, the wall clock moving with the schedule.
    const run = async () => {
      const next = event(++n);
      wallClock = new Date(next.time);
      return (await runScheduledAudit(deps(), next))[0];
    };
    expect(await run()).toMatchObject({ status: "PASS", published: 0 });
    sim.faults.add({ kind: "status", status: 500, method: "GET", path: "/api/users" });
    for (let i = 0; i < 62; i++) expect((await run())?.status).toBe("ERROR");
    expect(notifier.messages.map((m) => m.attributes.kind)).toEqual(["evaluation-failure"]);
    expect((await files(root)).filter((f) => f.includes("/history/"))).toHaveLength(63);

    sim.faults.clear();
    bob().enableMultiFactor = false;
    expect(await run()).toEqual({ orgId: COMPLIANT_ORG_ID, status: "FAIL", regressions: 2, published: 1 });
    expect(notifier.messages.map((m) => m.attributes.kind)).toEqual(["evaluation-failure", "regression"]);
    expect(notifier.messages[1]?.email).toContain("bob.admin@example.com");
  });
});

describe("runScheduledAudit: events from another era", () => {
  beforeEach(async () => {
    sim = await startSimulator({ scenario: "compliant", now: () => NOW });
  });

  it.each([
    ["a year ago", -365 * 86_400_000, "before"],
    ["a day and a second ago", -86_401_000, "before"],
    ["two days ahead", 2 * 86_400_000, "after"],
  ])("refuses an event stamped %s before reading or writing anything", async (_name, offset, side) => {
    const time = new Date(NOW.getTime() + offset).toISOString();
    let clients = 0;
    const error = await rejection(
      runScheduledAudit(
        deps({}, () => {
          clients += 1;
          return simClient(sim);
        }),
        { controlId: "5.2", eventId: "evt-old", time },
      ),
    );
    expect(error.name).toBe("InvalidEventError");
    expect(error.code).toBe("INVALID_EVENT");
    expect(error.message).toBe(
      `Invalid event: time: ${time} is more than 1 day ${side} now (${NOW.toISOString()}); refusing to evaluate another era`,
    );
    expect(clients).toBe(0);
    expect(sim.requests).toEqual([]);
    expect(await files(root)).toEqual([]);
    expect(state.puts).toBe(0);
    expect(notifier.messages).toEqual([]);
  });

  it("accepts an event up to a day late or early", async () => {
    for (const [n, offset] of [
      [1, -86_400_000],
      [2, 86_400_000],
    ] as const) {
      const time = new Date(NOW.getTime() + offset).toISOString();
      const outcomes = await runScheduledAudit(deps(), { controlId: "1.1", eventId: `evt-${n}`, time });
      expect(outcomes[0]?.status).toBe("PASS");
    }
  });
});

describe("runScheduledAudit: several organizations (MSP key)", () => {
  const ORG_A = "5f00000000000000000000a1";
  const ORG_B = "5f00000000000000000000b2";
  const UNKNOWN = "5f00000000000000000000c3";

  beforeEach(async () => {
    const scenario: Scenario = {
      name: "msp",
      plan: "platform",
      apiKey: DEFAULT_SIM_API_KEY,
      organizations: [
        hardenedOrg(NOW, { name: "Acme", orgId: ORG_A, users: 3, systems: 2 }),
        hardenedOrg(NOW, { name: "Beta", orgId: ORG_B, users: 3, systems: 2 }),
      ],
    };
    sim = await startSimulator({ scenario, now: () => NOW });
  });

  it("audits each organization with its x-org-id, under its own findings prefix", async () => {
    const outcomes = await runScheduledAudit(deps({ orgIds: [ORG_A, ORG_B] }), event(1));
    expect(outcomes).toEqual([
      { orgId: ORG_A, status: "PASS", regressions: 0, published: 0 },
      { orgId: ORG_B, status: "PASS", regressions: 0, published: 0 },
    ]);
    const userReads = sim.requests.filter((r) => r.path === "/api/users");
    expect(userReads.map((r) => r.orgId).sort()).toEqual([ORG_A, ORG_B]);
    const written = await files(root);
    for (const org of [ORG_A, ORG_B]) {
      expect(written).toContain(`findings/${org}/1.1/latest.json`);
      expect(written.filter((f) => f.startsWith(`runs/${org}/`))).toHaveLength(1);
    }

    // A drift in B alerts for B only.
    bob(1).enableMultiFactor = false;
    const next = await runScheduledAudit(deps({ orgIds: [ORG_A, ORG_B] }), event(2));
    expect(next.map((o) => [o.orgId, o.status, o.published])).toEqual([
      [ORG_A, "PASS", 0],
      [ORG_B, "FAIL", 1],
    ]);
    expect(notifier.messages.map((m) => m.attributes.orgId)).toEqual([ORG_B]);
    expect(notifier.messages[0]?.chatbot.metadata.threadId).toBe(`jumpcloud-${ORG_B}-1.1`);
  });

  it("an organization the key does not see is an ERROR (404) while the others are audited", async () => {
    const outcomes = await runScheduledAudit(deps({ orgIds: [UNKNOWN, ORG_A] }), event(1));
    expect(outcomes.map((o) => [o.orgId, o.status])).toEqual([
      [UNKNOWN, "ERROR"],
      [ORG_A, "PASS"],
    ]);
    expect(sim.requests.filter((r) => r.orgId === UNKNOWN).every((r) => r.status === 404)).toBe(true);
  });

  const item = (n: number, orgId: string) => ({ ...event(n), orgId });

  it("a fan-out item audits only its organization, with its x-org-id", async () => {
    const outcomes = await runScheduledAudit(deps({ orgIds: "all" }), item(1, ORG_B));
    expect(outcomes).toEqual([{ orgId: ORG_B, status: "PASS", regressions: 0, published: 0 }]);
    expect(sim.requests.some((r) => r.path === "/api/organizations")).toBe(false);
    // /api/organizations/{id} goes without x-org-id (the transport strips it there): the path names B.
    const scoped = sim.requests.filter((r) => !r.path.startsWith("/api/organizations/"));
    expect(new Set(scoped.map((r) => r.orgId))).toEqual(new Set([ORG_B]));
    expect(sim.requests.filter((r) => r.path.startsWith("/api/organizations/")).map((r) => r.path)).toEqual([
      `/api/organizations/${ORG_B}`,
    ]);
    expect((await files(root)).some((f) => f.includes(ORG_A))).toBe(false);
  });

  it("a redriven item (same eventId) does not re-alert", async () => {
    await runScheduledAudit(deps({ orgIds: "all" }), item(1, ORG_B));
    bob(1).enableMultiFactor = false;
    expect((await runScheduledAudit(deps({ orgIds: "all" }), item(2, ORG_B)))[0]).toMatchObject({
      status: "FAIL",
      published: 1,
    });
    const redriven = await runScheduledAudit(deps({ orgIds: "all" }), item(2, ORG_B));
    expect(redriven).toEqual([{ orgId: ORG_B, status: "DUPLICATE", regressions: 0, published: 0 }]);
    expect(notifier.messages).toHaveLength(1);
  });

  it.each([
    [
      { orgIds: [ORG_A] },
      /^Invalid event: orgId: .+ is not one of the configured organizations \(JC_ORG_IDS\)$/,
    ],
    [
      { orgIds: "all" as const, excludeOrgIds: [ORG_B.toUpperCase()] },
      /^Invalid event: orgId: .+ is excluded by JC_ORG_EXCLUDE$/,
    ],
  ])("an item the configuration leaves out is refused before any request: %j", async (settings, message) => {
    const error = await rejection(runScheduledAudit(deps(settings), item(1, ORG_B)));
    expect(error).toMatchObject({ code: "INVALID_EVENT" });
    expect(error.message).toMatch(message);
    expect(sim.requests).toEqual([]);
    expect(state.puts).toBe(0);
  });

  it('a scheduled event with JC_ORG_IDS "all" discovers the organizations, minus the exclusions', async () => {
    const outcomes = await runScheduledAudit(deps({ orgIds: "all" }), event(1));
    expect(outcomes.map((o) => o.orgId)).toEqual([ORG_A, ORG_B]);
    const excluded = await runScheduledAudit(deps({ orgIds: "all", excludeOrgIds: [ORG_A] }), event(2));
    expect(excluded.map((o) => o.orgId)).toEqual([ORG_B]);
    expect(
      sim.requests.filter((r) => r.path === "/api/organizations").every((r) => r.orgId === undefined),
    ).toBe(true);
  });

  it("exclusions alone (no list) still discover: the key's organizations minus those", async () => {
    const outcomes = await runScheduledAudit(deps({ orgIds: [], excludeOrgIds: [ORG_B] }), event(1));
    expect(outcomes.map((o) => o.orgId)).toEqual([ORG_A]);
  });

  it("one organization failing still audits the next, then the run throws for a retry", async () => {
    const failing = (orgId: string | undefined): JumpCloudClient => {
      if (orgId === ORG_A) throw new Error("cannot build a client for A");
      return simClient(sim, { ...(orgId ? { orgId } : {}) });
    };
    const error = await rejection(runScheduledAudit(deps({ orgIds: [ORG_A, ORG_B] }, failing), event(1)));
    expect(error.message).toBe("cannot build a client for A");
    const written = await files(root);
    expect(written).toContain(`findings/${ORG_B}/1.1/latest.json`);
    expect(written.some((f) => f.includes(ORG_A))).toBe(false);
    expect(state.docs.get(stateKeys.event(ORG_B, "1.1", "evt-1"))).toEqual({
      sent: [],
      healthTracked: true,
      done: true,
    });

    // The retry audits A and skips B, already done.
    const retried = await runScheduledAudit(deps({ orgIds: [ORG_A, ORG_B] }), event(1));
    expect(retried.map((o) => [o.orgId, o.status])).toEqual([
      [ORG_A, "PASS"],
      [ORG_B, "DUPLICATE"],
    ]);
  });
});

describe("runScheduledAudit: Security Hub", () => {
  const ARN = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default";
  const hub = mockClient(SecurityHubClient);

  beforeEach(async () => {
    sim = await startSimulator({ scenario: "compliant", now: () => NOW });
    hub.reset();
    hub.on(BatchImportFindingsCommand).callsFake(async (input: { Findings: unknown[] }) => ({
      SuccessCount: input.Findings.length,
      FailedCount: 0,
      FailedFindings: [],
    }));
  });

  /** The real exporter over the run's state store, Security Hub mocked. */
  const withSecurityHub = (settings: Partial<ScheduledAuditDependencies["settings"]> = {}) => ({
    ...deps(settings),
    securityHub: securityHubExporter({
      sink: securityHubSink(new SecurityHubClient({ region: "us-east-1" })),
      state,
      target: productTarget(ARN),
      logger: silentLogger,
      sleep: async () => {},
    }),
  });
  /** bob's findings in the BatchImportFindings calls so far. */
  const bobFindings = () =>
    hub
      .commandCalls(BatchImportFindingsCommand)
      .flatMap((c) => c.args[0].input.Findings ?? [])
      .filter((f) => f.Resources?.[0]?.Details?.Other?.name === "bob.admin@example.com");

  it("imports bob's FAIL as FAILED and ACTIVE, then the next run's PASS as ARCHIVED and RESOLVED", async () => {
    await runScheduledAudit(withSecurityHub(), event(1));
    bob().enableMultiFactor = false;
    hub.resetHistory();
    const failing = await runScheduledAudit(withSecurityHub(), event(2));
    expect(failing[0]).toMatchObject({
      status: "FAIL",
      published: 1,
      securityHub: { failed: [], archived: 0 },
    });
    const [failed] = bobFindings();
    expect(failed).toMatchObject({
      Compliance: { Status: "FAILED" },
      RecordState: "ACTIVE",
      Workflow: { Status: "NEW" },
      UpdatedAt: event(2).time,
    });

    bob().enableMultiFactor = true;
    hub.resetHistory();
    await runScheduledAudit(withSecurityHub(), event(3));
    expect(bobFindings()).toEqual([
      expect.objectContaining({
        Id: failed?.Id,
        Compliance: expect.objectContaining({ Status: "PASSED" }),
        RecordState: "ARCHIVED",
        Workflow: { Status: "RESOLVED" },
      }),
    ]);
    expect(state.docs.get(stateKeys.securityHub(COMPLIANT_ORG_ID, "1.1"))).toEqual({
      version: 1,
      active: [],
    });
  });

  it("exports exactly the persisted finding, once per event: a re-delivery imports nothing", async () => {
    const exported: ControlFinding[] = [];
    const recording: FindingsExporter = {
      async export(finding) {
        exported.push(finding);
        return { imported: 1, archived: 0, failed: [], skipped: 0 };
      },
    };
    const outcomes = await runScheduledAudit({ ...deps(), securityHub: recording }, event(1));
    expect(outcomes[0]?.securityHub).toEqual({ imported: 1, archived: 0, failed: [], skipped: 0 });
    expect(exported).toEqual([await localFindingsStore(root).getLatest(COMPLIANT_ORG_ID, "1.1")]);

    const again = await runScheduledAudit({ ...deps(), securityHub: recording }, event(1));
    expect(again[0]?.status).toBe("DUPLICATE");
    expect(exported).toHaveLength(1);
  });

  it("without it, outcomes carry no export and nothing is imported", async () => {
    const outcomes = await runScheduledAudit(deps(), event(1));
    expect(outcomes[0]).not.toHaveProperty("securityHub");
    expect(hub.commandCalls(BatchImportFindingsCommand)).toEqual([]);
  });

  it.each([
    [
      "Security Hub refuses every call",
      () => {
        hub
          .on(BatchImportFindingsCommand)
          .rejects(
            Object.assign(new Error("Security Hub is not enabled"), { name: "InvalidAccessException" }),
          );
        return withSecurityHub();
      },
    ],
    [
      "the exporter throws",
      () => ({
        ...deps(),
        securityHub: {
          export: () => Promise.reject(new Error("exporter bug")),
        } satisfies FindingsExporter,
      }),
    ],
  ])(
    "a failure (%s) loses neither the findings nor the alert, and the event is done",
    async (_name, build) => {
      await runScheduledAudit(deps(), event(1));
      bob().enableMultiFactor = false;
      const outcomes = await runScheduledAudit(build(), event(2));
      expect(outcomes[0]).toMatchObject({ status: "FAIL", regressions: 2, published: 1 });
      expect(outcomes[0]?.securityHub?.error?.code).toMatch(/^(IMPORT_CALL_FAILED|EXPORT_FAILED)$/);
      expect(notifier.messages.map((m) => m.attributes.kind)).toEqual(["regression"]);
      expect((await localFindingsStore(root).getLatest(COMPLIANT_ORG_ID, "1.1"))?.status).toBe("FAIL");
      expect(state.docs.get(stateKeys.event(COMPLIANT_ORG_ID, "1.1", "evt-2"))).toMatchObject({ done: true });
    },
  );
});
