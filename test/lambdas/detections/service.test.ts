/**
 * The scheduled detection run over a simulator event stream: two runs with new events in between,
 * each match alerted exactly once, the checkpoint advanced, nothing lost across page boundaries or
 * a failed publish (retried by the next run), and the "audit log silent" alert sent once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadRules } from "../../../lambdas/detections/engine/index.js";
import {
  checkpointKey,
  type DetectionCheckpoint,
  runDetection,
} from "../../../lambdas/detections/service.js";
import type { AlertMessage, Notifier } from "../../../lambdas/service/notifier.js";
import type { StateStore } from "../../../lambdas/service/state-store.js";
import { silentLogger } from "../../../lambdas/shared/logger.js";
import { type RunningSimulator, startSimulator } from "../../../sim/index.js";
import { insightsEvent } from "../../../sim/presets/catalog.js";
import { hexId } from "../../helpers/audit.js";
import { rejection, simClient } from "../../helpers/simulator.js";

const ORG = "5f0000000000000000000001";
const RULES = `title: Failed admin login
id: 3f6c1a52-8d0e-4b8a-9d6f-1c2b3a4d5e60
name: failed_admin_login
status: test
description: An admin login failed.
author: tests
date: 2026-11-28
logsource: { product: jumpcloud, service: directory_insights }
detection:
  selection: { event_type: admin_login_attempt, success: false }
  condition: selection
level: medium
---
title: Admin TOTP disabled
id: 9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d
status: test
description: An admin's TOTP was disabled.
author: tests
date: 2026-11-28
logsource: { product: jumpcloud, service: directory_insights }
detection:
  selection: { event_type: admin_totp_disable }
  condition: selection
level: high
`;
const rules = loadRules([{ source: "test.yml", text: RULES }]);

function memoryState(): StateStore & { docs: Map<string, unknown> } {
  const docs = new Map<string, unknown>();
  return {
    docs,
    getJson: async <T>(key: string) => structuredClone(docs.get(key)) as T | undefined,
    putJson: async (key, value) => {
      docs.set(key, structuredClone(value));
    },
  };
}

function recordingNotifier(): Notifier & { messages: AlertMessage[]; failNext(): void } {
  let fail = false;
  const messages: AlertMessage[] = [];
  return {
    messages,
    failNext: () => {
      fail = true;
    },
    publish: async (message) => {
      if (fail) {
        fail = false;
        throw new Error("SNS unavailable");
      }
      messages.push(message);
    },
  };
}

let sim: RunningSimulator;
let now: Date;
let state: ReturnType<typeof memoryState>;
let notifier: ReturnType<typeof recordingNotifier>;
let seq = 0;

beforeEach(async () => {
  now = new Date("2026-11-28T12:00:00.000Z");
  sim = await startSimulator({ scenario: "compliant", now: () => now });
  sim.scenario.organizations[0]?.events.splice(0); // a quiet stream; each test adds what it needs
  state = memoryState();
  notifier = recordingNotifier();
});
afterEach(async () => {
  await sim.close();
});

const add = (type: string, minutesAgo: number, extra: { success?: boolean } = {}) =>
  sim.scenario.organizations[0]?.events.push(
    insightsEvent(hexId(++seq, "5fd0"), ORG, {
      type,
      at: new Date(now.getTime() - minutesAgo * 60_000),
      actor: { email: "frank@example.com" },
      ...extra,
    }),
  );
const run = () =>
  runDetection({
    client: simClient(sim, { insightsPageSize: 3 }),
    state,
    notifier,
    logger: silentLogger,
    rules,
    clock: () => now,
    settings: { overlapMs: 5 * 60_000, silenceHours: 24 },
  });
const checkpoint = () => state.docs.get(checkpointKey(ORG)) as DetectionCheckpoint;
const titles = () => notifier.messages.map((m) => m.subject);

describe("runDetection", () => {
  it("alerts each match once across two runs with new events in between, across page boundaries", async () => {
    for (let i = 0; i < 7; i++) add("admin_login_attempt", 50 - i, { success: false });
    add("user_login_attempt", 40, { success: true });
    const first = await run();
    expect(first).toMatchObject({ events: 8, fresh: 8, published: 1 });
    expect(notifier.messages[0]?.email).toMatch(/Failed admin login \(medium\) matched 7 event/);
    expect(notifier.messages[0]?.attributes).toMatchObject({
      kind: "detection",
      severity: "medium",
      orgId: ORG,
    });
    expect(checkpoint().until).toBe(now.toISOString());

    // 15 minutes later: one more failure and a TOTP disable; the 7 earlier failures are not re-alerted.
    now = new Date(now.getTime() + 15 * 60_000);
    add("admin_login_attempt", 3, { success: false });
    add("admin_totp_disable", 2);
    const second = await run();
    expect(second).toMatchObject({ fresh: 2, published: 2 });
    expect(notifier.messages.slice(1).map((m) => m.email.match(/matched (\d+) event/)?.[1])).toEqual([
      "1",
      "1",
    ]);
    expect(titles()).toHaveLength(3);
  });

  it("re-reads the overlap without alerting twice (an event that arrives late is still caught)", async () => {
    add("admin_totp_disable", 2);
    await run();
    now = new Date(now.getTime() + 60_000);
    // Stored late: its timestamp is before the previous checkpoint, but inside the overlap.
    add("admin_login_attempt", 3, { success: false });
    const outcome = await run();
    expect(outcome).toMatchObject({ fresh: 1, published: 1 });
    expect(titles()).toEqual([
      "[JumpCloud detection HIGH] Admin TOTP disabled (1 event)",
      "[JumpCloud detection MEDIUM] Failed admin login (1 event)",
    ]);
  });

  it("a failed publish keeps the checkpoint; the next run sends what was not sent, and nothing twice", async () => {
    add("admin_login_attempt", 10, { success: false });
    add("admin_totp_disable", 9);
    notifier.failNext();
    await rejection(run());
    expect(notifier.messages).toEqual([]);
    expect(state.docs.get(checkpointKey(ORG))).toBeUndefined();
    now = new Date(now.getTime() + 15 * 60_000);
    await run();
    expect(titles().sort()).toEqual([
      "[JumpCloud detection HIGH] Admin TOTP disabled (1 event)",
      "[JumpCloud detection MEDIUM] Failed admin login (1 event)",
    ]);
    await run();
    expect(titles()).toHaveLength(2);
  });

  it("a publish failing half-way does not repeat the message that went out", async () => {
    add("admin_login_attempt", 10, { success: false });
    add("admin_totp_disable", 9);
    let calls = 0;
    const flaky: Notifier = {
      publish: async (message) => {
        calls += 1;
        if (calls === 2) throw new Error("SNS unavailable");
        notifier.messages.push(message);
      },
    };
    await rejection(
      runDetection({
        client: simClient(sim),
        state,
        notifier: flaky,
        logger: silentLogger,
        rules,
        clock: () => now,
        settings: {},
      }),
    );
    expect(notifier.messages).toHaveLength(1);
    await run();
    expect(notifier.messages).toHaveLength(2);
    expect(new Set(titles()).size).toBe(2);
  });

  it("says once that the audit log is silent, and again only after events came back", async () => {
    add("user_login_attempt", 30, { success: true });
    await run();
    expect(notifier.messages).toEqual([]);
    now = new Date(now.getTime() + 25 * 3_600_000);
    await run();
    expect(titles()).toEqual(["[JumpCloud detection] Audit log silent"]);
    now = new Date(now.getTime() + 3_600_000);
    await run();
    expect(titles()).toHaveLength(1);
    add("user_login_attempt", 1, { success: true });
    await run();
    expect(checkpoint().silenceAlerted).toBeUndefined();
  });

  it("an event nested too deep is logged and alerted once by its id; the rest of the window is still alerted", async () => {
    add("admin_login_attempt", 10, { success: false });
    add("admin_login_attempt", 9, { success: false });
    const deep = sim.scenario.organizations[0]?.events.at(-1) as Record<string, unknown>;
    let nested: unknown = "chrome";
    for (let i = 0; i < 100; i++) nested = [nested];
    deep.useragent = { name: nested };
    const warnings: unknown[] = [];
    const logger = {
      ...silentLogger,
      warn: (_: string, attributes?: Record<string, unknown>) => warnings.push(attributes),
    };
    const runLogged = () =>
      runDetection({
        client: simClient(sim),
        state,
        notifier,
        logger,
        rules,
        clock: () => now,
        settings: { overlapMs: 5 * 60_000, silenceHours: 24 },
      });

    const outcome = await runLogged();
    expect(outcome).toMatchObject({ events: 2, fresh: 2, matches: 1, unevaluated: 1, published: 2 });
    expect(titles()).toEqual([
      "[JumpCloud detection] 1 event(s) not evaluated",
      "[JumpCloud detection MEDIUM] Failed admin login (1 event)",
    ]);
    expect(notifier.messages[0]?.email).toContain(
      `event ${deep.id}: nested deeper than 64 levels of objects and arrays: refused, not evaluated by any rule (2)`,
    );
    expect(notifier.messages[0]?.attributes).toMatchObject({
      kind: "detection",
      severity: "high",
      orgId: ORG,
    });
    expect(warnings).toEqual([
      {
        code: "EVENT_TOO_DEEP",
        eventId: deep.id,
        ruleIds: rules.filter((r) => r.kind === "event").map((r) => r.id),
      },
    ]);

    // Inside the overlap on the next run: logged again, never alerted twice.
    now = new Date(now.getTime() + 60_000);
    expect(await runLogged()).toMatchObject({ unevaluated: 0, published: 0 });
    expect(titles()).toHaveLength(2);
  });
});
