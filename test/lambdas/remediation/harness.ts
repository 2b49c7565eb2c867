/** Remediation test harness: a fresh compliant simulator, a temporary plan store and a recording logger per test. */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect } from "vitest";
import type { JumpCloudClientOptions } from "../../../lambdas/jumpcloud/client.js";
import { planActions, type RemediationPlan, remediationKeys } from "../../../lambdas/remediation/record.js";
import { parseRecord } from "../../../lambdas/remediation/record-schema.js";
import { localSealer, openRecord, type RecordSealer, sealRecord } from "../../../lambdas/remediation/seal.js";
import {
  applyPlan,
  planRemediation,
  type RemediationDependencies,
  type Requester,
  rollbackPlan,
} from "../../../lambdas/remediation/service.js";
import type { AlertMessage, Notifier } from "../../../lambdas/service/notifier.js";
import { localRemediationStore } from "../../../lambdas/store/local-remediation-store.js";
import { COMPLIANT_ORG_ID } from "../../../sim/presets/compliant.js";
import type { Doc } from "../../../sim/query.js";
import type { OrgData } from "../../../sim/scenario.js";
import { type RunningSimulator, startSimulator } from "../../../sim/server.js";
import { auditControl, NOW } from "../../helpers/audit.js";
import { recordingLogger, simClient } from "../../helpers/simulator.js";

export { NOW };
export const ORG_ID = COMPLIANT_ORG_ID;
export const WHO = { requestedBy: "alice.owner@example.com", reason: "CHG-1234 hardening" } as const;

/** A notifier that keeps what it is given. */
export function recordingNotifier(): Notifier & { messages: AlertMessage[] } {
  const messages: AlertMessage[] = [];
  return {
    messages,
    async publish(message) {
      messages.push(message);
    },
  };
}

/** Everything one test needs; fresh for each test. */
export interface Harness {
  sim: RunningSimulator;
  org: OrgData;
  /** Folder of the local remediation store (`--out`), inside a folder of its own. */
  root: string;
  /** What exists beside `root` in its parent folder: anything there was written outside `--out`. */
  outside(): Promise<string[]>;
  logger: ReturnType<typeof recordingLogger>;
  notifier: ReturnType<typeof recordingNotifier>;
  /** Dependencies over the simulator; `client` options (e.g. `timeoutMs`) and fields may be overridden. */
  deps(
    overrides?: Partial<RemediationDependencies>,
    client?: Partial<JumpCloudClientOptions>,
  ): RemediationDependencies;
  /** Every file the store wrote, with its text. */
  storedFiles(): Promise<{ path: string; text: string }[]>;
  /** Whether the organization's lock file exists. */
  locked(): Promise<boolean>;
  /** The stored record of a plan, its seal verified. */
  record(planId: string): Promise<RemediationPlan>;
  /**
   * Edits a stored record as an attacker with write access would; `reseal` also seals it again with
   * the local key (an attacker who can read the key file), so that only the fresh plan can refuse it.
   */
  forge(planId: string, edit: (record: Record<string, unknown>) => void, reseal: boolean): Promise<void>;
}

/** Re-reads of unknown writes and store retries in milliseconds, so failure tests stay fast. */
export const FAST_CONFIRM = [0, 10, 20, 40] as const;

/** Starts a compliant simulator and an empty store before each test; stops and removes them after. */
export function useHarness(): () => Harness {
  let current: Harness | undefined;
  beforeEach(async () => {
    const sim = await startSimulator({ scenario: "compliant", now: () => NOW });
    const parent = await mkdtemp(join(tmpdir(), "jc-remediation-"));
    const root = join(parent, "out");
    await mkdir(root);
    const logger = recordingLogger();
    const notifier = recordingNotifier();
    const store = localRemediationStore(root);
    const sealer: RecordSealer = localSealer(root);
    const path = (planId: string) => join(root, remediationKeys.plan(ORG_ID, planId));
    current = {
      sim,
      org: sim.scenario.organizations[0] as OrgData,
      root,
      outside: async () => (await readdir(parent)).filter((name) => name !== "out"),
      logger,
      notifier,
      deps: (overrides = {}, client = {}) => ({
        client: simClient(sim, { logger, ...client }),
        store,
        sealer,
        notifier,
        confirmDelaysMs: FAST_CONFIRM,
        storeRetryDelaysMs: [0, 0],
        logger,
        clock: () => NOW,
        ...overrides,
      }),
      async storedFiles() {
        const files: { path: string; text: string }[] = [];
        const walk = async (dir: string): Promise<void> => {
          for (const entry of await readdir(dir, { withFileTypes: true })) {
            const path = join(dir, entry.name);
            if (entry.isDirectory()) await walk(path);
            else files.push({ path, text: await readFile(path, "utf8") });
          }
        };
        await walk(root);
        return files;
      },
      async locked() {
        return (await current?.storedFiles())?.some((f) => f.path.endsWith("lock.json")) ?? false;
      },
      async record(planId) {
        const key = remediationKeys.plan(ORG_ID, planId);
        return parseRecord(await openRecord(sealer, key, await readFile(path(planId), "utf8")), key);
      },
      async forge(planId, edit, reseal) {
        const envelope = JSON.parse(await readFile(path(planId), "utf8")) as {
          record: Record<string, unknown>;
        };
        edit(envelope.record);
        const text = reseal
          ? await sealRecord(
              sealer,
              remediationKeys.plan(ORG_ID, planId),
              envelope.record as unknown as RemediationPlan,
            )
          : JSON.stringify(envelope);
        await writeFile(path(planId), text);
      },
    };
  });
  afterEach(async () => {
    await current?.sim.close();
    if (current) await rm(join(current.root, ".."), { recursive: true, force: true });
    current = undefined;
  });
  return () => {
    if (!current) throw new Error("harness not started");
    return current;
  };
}

/** A plan's rows as "resource field: before → after". */
export function rows(plan: RemediationPlan): string[] {
  return planActions(plan).map(
    (a) => `${a.resource.name} ${a.field}: ${JSON.stringify(a.before)} → ${JSON.stringify(a.after)}`,
  );
}

/** Writes as "METHOD path", for compact assertions. */
export function writeLines(sim: RunningSimulator): string[] {
  return sim.writes().map((w) => `${w.method} ${w.path}`);
}

/** The test's settings document of the organization. */
export function settingsOf(org: OrgData): Doc {
  return org.organization.settings as Doc;
}

/** Deep copy of simulator state, to compare with later. */
export function snapshot<T>(value: T): T {
  return structuredClone(value);
}

/**
 * The whole life of one remediation from a single broken thing: FAIL → plan (no write) → apply (PASS)
 * → apply again (no-op, no write) → rollback (the state before, FAIL again). Returns each stage's
 * record and writes, for the caller's own assertions.
 */
export async function lifecycle(
  h: Harness,
  options: {
    controlId: string;
    request?: { controls?: string[]; trustedRanges?: string[] };
    /** The simulator state remediation touches, compared before apply and after rollback. */
    state: () => unknown;
  },
) {
  const { sim } = h;
  const deps = h.deps();
  const who: Requester = { ...WHO };
  const before = snapshot(options.state());

  expect((await auditControl(sim, options.controlId)).status).toBe("FAIL");
  const plan = await planRemediation(deps, { ...who, ...options.request });
  expect(writeLines(sim), "planning must not write").toEqual([]);
  expect(plan.status).toBe("planned");
  expect(plan.controls.find((c) => c.controlId === options.controlId)?.statusBefore).toBe("FAIL");

  const first = await applyPlan(deps, { ...who, planId: plan.planId });
  expect(first.noop).toBe(false);
  expect(first.plan.status).toBe("applied");
  expect(first.plan.applied?.statusAfter[options.controlId]).toBe("PASS");
  expect((await auditControl(sim, options.controlId)).status).toBe("PASS");
  expect(await h.locked(), "the lock is released after apply").toBe(false);
  const applyWrites = sim.writes();
  expect(applyWrites.length).toBeGreaterThan(0);
  expect(applyWrites.every((w) => w.status >= 200 && w.status < 300)).toBe(true);
  const afterApply = snapshot(options.state());

  const second = await applyPlan(deps, { ...who, planId: plan.planId });
  expect(second.noop).toBe(true);
  expect(second.plan).toEqual(first.plan);
  expect(sim.writes(), "a second apply must not write").toHaveLength(applyWrites.length);

  const rolledBack = await rollbackPlan(deps, { ...who, planId: plan.planId });
  expect(rolledBack.status).toBe("rolled-back");
  expect(rolledBack.rolledBack?.outcomes.every((o) => o.outcome === "restored")).toBe(true);
  expect(rolledBack.rolledBack?.statusAfter[options.controlId]).toBe("FAIL");
  expect(options.state(), "rollback restores the state before").toEqual(before);
  expect((await auditControl(sim, options.controlId)).status).toBe("FAIL");
  const rollbackWrites = sim.writes().slice(applyWrites.length);
  expect(await h.locked(), "the lock is released after rollback").toBe(false);

  return { plan, applied: first.plan, rolledBack, applyWrites, rollbackWrites, afterApply };
}
