/**
 * Every write is journaled: its intent is stored before it is sent and its outcome after. A write whose
 * answer is lost is confirmed by re-reading with backoff, never resent; one whose outcome stays unknown
 * is recorded as such and rollback still handles it; a record that cannot be stored after writes is
 * retried, and the writes are announced even when it never is.
 */
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { kmsSealer } from "../../../lambdas/adapters/kms-sealer.js";
import { s3RemediationStore } from "../../../lambdas/adapters/s3-remediation-store.js";
import type { JumpCloudClient } from "../../../lambdas/jumpcloud/client.js";
import { JumpCloudError } from "../../../lambdas/jumpcloud/errors.js";
import { type RemediationStore, remediationKeys } from "../../../lambdas/remediation/record.js";
import { parseRecord } from "../../../lambdas/remediation/record-schema.js";
import { openRecord } from "../../../lambdas/remediation/seal.js";
import {
  applyPlan,
  planRemediation,
  type RemediationDependencies,
  rollbackPlan,
} from "../../../lambdas/remediation/service.js";
import type { Doc } from "../../../sim/query.js";
import type { RunningSimulator } from "../../../sim/server.js";
import { rejection } from "../../helpers/simulator.js";
import { conditionalBucket } from "./fake-bucket.js";
import { fakeKms, SEAL_KEY_ARN } from "./fake-kms.js";
import { type Harness, NOW, ORG_ID, useHarness, WHO, writeLines } from "./harness.js";

const harness = useHarness();
const BOB = "bob.admin@example.com";

/** Generous re-reads for a write that lands late: they end as soon as one read shows it. */
const PATIENT = [50, 100, 200, 400, 800, 1600, 3200];

const bobOf = (h: Harness) => h.org.admins.find((a) => a.email === BOB) as Doc;
const putsTo = (sim: RunningSimulator, path: string) =>
  sim.requests.filter((r) => r.method === "PUT" && r.path === path);

async function planBob(h: Harness) {
  bobOf(h).enableMultiFactor = false;
  return planRemediation(h.deps(), { ...WHO, controls: ["1.1"] });
}

/** Resolves once `done()` holds (polling), or fails after 5 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !done(); waited += 5) {
    if (waited > 5000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The journal as "step state actionId" lines. */
const journalLines = (record: { journal: { step: string; state: string; actionId: string }[] }) =>
  record.journal.map((e) => `${e.step} ${e.state} ${e.actionId}`);

describe("the journal", () => {
  it("stores each write's intent before it is sent and its outcome after, for apply and rollback", async () => {
    const h = harness();
    h.org.authnPolicies = h.org.authnPolicies.filter((p) => p.name !== "MFA Outside Corporate");
    const plan = await planRemediation(h.deps(), {
      ...WHO,
      controls: ["3.1"],
      trustedRanges: ["198.51.100.0/24"],
    });
    const events: string[] = [];
    const inner = h.deps();
    const store: RemediationStore = {
      ...inner.store,
      async putRecord(orgId, planId, text) {
        const { record } = JSON.parse(text) as {
          record: { status: string; journal: { step: string; state: string; actionId: string }[] };
        };
        const last = record.journal.at(-1);
        events.push(`store ${record.status}${last ? ` ${last.step} ${last.state} ${last.actionId}` : ""}`);
        await inner.store.putRecord(orgId, planId, text);
      },
    };
    const client: JumpCloudClient = {
      ...inner.client,
      post: (path, body) => {
        events.push(`POST ${path}`);
        return inner.client.post(path, body);
      },
      delete: (path) => {
        events.push(`DELETE ${path.replace(/[0-9a-f]{24}$/, "{id}")}`);
        return inner.client.delete(path);
      },
    };
    const deps = h.deps({ store, client });

    await applyPlan(deps, { ...WHO, planId: plan.planId });
    await rollbackPlan(deps, { ...WHO, planId: plan.planId });

    expect(events).toEqual([
      "store applying",
      "store applying apply intent 3.1:ip_list:create",
      "POST /api/v2/iplists",
      "store applying apply applied 3.1:ip_list:create",
      "store applying apply intent 3.1:authn_policy:create",
      "POST /api/v2/authn/policies",
      "store applying apply applied 3.1:authn_policy:create",
      "store applied apply applied 3.1:authn_policy:create",
      "store rolling-back apply applied 3.1:authn_policy:create",
      "store rolling-back undo intent 3.1:authn_policy:create",
      "DELETE /api/v2/authn/policies/{id}",
      "store rolling-back undo restored 3.1:authn_policy:create",
      "store rolling-back undo intent 3.1:ip_list:create",
      "DELETE /api/v2/iplists/{id}",
      "store rolling-back undo restored 3.1:ip_list:create",
      "store rolled-back undo restored 3.1:ip_list:create",
    ]);
    const stored = await h.record(plan.planId);
    expect(stored.operations).toBe(2);
    expect(stored.journal.map((e) => e.op)).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    // The created objects are kept whole, as apply left them: rollback compares them.
    expect(stored.journal[1]?.leftAs).toMatchObject({
      name: "Trusted corporate networks (jc-audit)",
      ips: ["198.51.100.0/24"],
    });
  });

  it("a write whose intent cannot be stored is not made", async () => {
    const h = harness();
    const plan = await planBob(h);
    const inner = h.deps().store;
    let puts = 0;
    const store: RemediationStore = {
      ...inner,
      async putRecord(orgId, planId, text) {
        puts += 1;
        if (puts === 2) throw new Error("disk full"); // the first stores "applying", the second the intent
        await inner.putRecord(orgId, planId, text);
      },
    };
    const error = await rejection(applyPlan(h.deps({ store }), { ...WHO, planId: plan.planId }));
    expect(error.code).toBe("RECORD_NOT_STORED");
    expect(error.message).toBe(
      `Could not record the intent to Require MFA for admin ${BOB} (disk full); it was not made`,
    );
    expect(writeLines(h.sim)).toEqual([]);
    expect(bobOf(h).enableMultiFactor).toBe(false);
    expect((await h.record(plan.planId)).status).toBe("planned");
    expect(await h.locked()).toBe(false);
  });
});

describe("a write that lands after the client gave up", () => {
  it("is confirmed by re-reading with backoff, recorded as applied (never resent), and can be rolled back", async () => {
    const h = harness();
    const plan = await planBob(h);
    const path = `/api/users/${bobOf(h)._id}`;
    h.sim.faults.add({ kind: "delay", ms: 500, method: "PUT", path, times: 1 });
    const deps = h.deps({ confirmDelaysMs: PATIENT }, { timeoutMs: 100 });

    const { plan: applied } = await applyPlan(deps, { ...WHO, planId: plan.planId });
    expect(applied.status).toBe("applied");
    expect(applied.applied?.results).toEqual([{ actionId: `1.1:admin:${bobOf(h)._id}`, outcome: "applied" }]);
    expect(journalLines(applied)).toEqual([
      `apply intent 1.1:admin:${bobOf(h)._id}`,
      `apply applied 1.1:admin:${bobOf(h)._id}`,
    ]);
    expect(putsTo(h.sim, path)).toHaveLength(1);
    expect(putsTo(h.sim, path)[0]).toMatchObject({ fault: "delay", status: 200 });
    expect(
      h.logger.lines.filter(
        (l) => l.message === "Retrying JumpCloud request" && l.attributes?.method === "PUT",
      ),
    ).toEqual([]);

    const rolledBack = await rollbackPlan(h.deps(), { ...WHO, planId: plan.planId });
    expect(rolledBack.rolledBack?.outcomes).toEqual([
      { actionId: `1.1:admin:${bobOf(h)._id}`, outcome: "restored" },
    ]);
    expect(bobOf(h).enableMultiFactor).toBe(false);
  });
});

describe("a write whose outcome stays unknown", () => {
  /** A client whose reads of admins fail from the first PUT on, until `restore()`. */
  function readsDownAfterPut(inner: JumpCloudClient) {
    let down = false;
    const client: JumpCloudClient = {
      ...inner,
      v1List: <T>(path: string, options?: Parameters<JumpCloudClient["v1List"]>[1]) =>
        down
          ? // biome-ignore lint/correctness/useYield: a read that fails before its first item
            (async function* (): AsyncGenerator<T> {
              throw new JumpCloudError("NETWORK_ERROR", "connection reset", { method: "GET", path });
            })()
          : inner.v1List<T>(path, options),
      put: (path, body) => {
        down = true;
        return inner.put(path, body);
      },
    };
    return { client, restore: () => (down = false) };
  }

  it("is recorded as unknown (WRITE_UNCONFIRMED); once it has landed, rollback re-reads and undoes it", async () => {
    const h = harness();
    const plan = await planBob(h);
    const path = `/api/users/${bobOf(h)._id}`;
    h.sim.faults.add({ kind: "delay", ms: 300, method: "PUT", path, times: 1 });
    const deps = h.deps({}, { timeoutMs: 100 });
    const { client, restore } = readsDownAfterPut(deps.client);

    const error = await rejection(applyPlan({ ...deps, client }, { ...WHO, planId: plan.planId }));
    expect(error.code).toBe("WRITE_UNCONFIRMED");
    expect(error.message).toMatch(
      /^Require MFA for admin bob\.admin@example\.com: the write's outcome is still unknown \(it could not be re-read for \d+ ms\); it is recorded as such/,
    );
    const stored = await h.record(plan.planId);
    expect(stored.status).toBe("failed");
    expect(journalLines(stored)).toEqual([
      `apply intent 1.1:admin:${bobOf(h)._id}`,
      `apply unknown 1.1:admin:${bobOf(h)._id}`,
    ]);
    // It is announced, with the change's state.
    expect(h.notifier.messages).toHaveLength(1);
    expect(h.notifier.messages[0]?.subject).toMatch(/^\[JumpCloud remediation failed\] 1\.1 by /);
    expect(h.notifier.messages[0]?.email).toContain("(enableMultiFactor: false → true): outcome unknown");

    await until(() => putsTo(h.sim, path).length > 0, "the delayed PUT");
    restore();
    expect(bobOf(h).enableMultiFactor).toBe(true);
    expect((await rejection(applyPlan(h.deps(), { ...WHO, planId: plan.planId }))).code).toBe(
      "PLAN_INCOMPLETE",
    );

    const rolledBack = await rollbackPlan(h.deps(), { ...WHO, planId: plan.planId });
    expect(rolledBack.status).toBe("rolled-back");
    expect(rolledBack.rolledBack?.outcomes).toEqual([
      { actionId: `1.1:admin:${bobOf(h)._id}`, outcome: "restored" },
    ]);
    expect(bobOf(h).enableMultiFactor).toBe(false);
    expect(putsTo(h.sim, path)).toHaveLength(2);
  });

  it("when it never landed, rollback finds nothing to undo and writes nothing", async () => {
    const h = harness();
    const plan = await planBob(h);
    const path = `/api/users/${bobOf(h)._id}`;
    h.sim.faults.add({ kind: "drop", method: "PUT", path, times: 1 });
    const deps = h.deps();
    const { client, restore } = readsDownAfterPut(deps.client);

    expect((await rejection(applyPlan({ ...deps, client }, { ...WHO, planId: plan.planId }))).code).toBe(
      "WRITE_UNCONFIRMED",
    );
    restore();
    expect(writeLines(h.sim)).toEqual([path.replace(/^/, "PUT ")]); // the dropped one
    const rolledBack = await rollbackPlan(h.deps(), { ...WHO, planId: plan.planId });
    expect(rolledBack.rolledBack?.outcomes).toEqual([
      { actionId: `1.1:admin:${bobOf(h)._id}`, outcome: "nothing-to-undo", detail: "the write never landed" },
    ]);
    expect(writeLines(h.sim), "rollback writes nothing").toHaveLength(1);
    expect(bobOf(h).enableMultiFactor).toBe(false);
  });

  it("an apply that died after a write (intent stored, no outcome) is rolled back once its lock is stale", async () => {
    const h = harness();
    const plan = await planBob(h);
    const deps = h.deps();
    let wrote = () => {};
    const written = new Promise<void>((resolve) => {
      wrote = resolve;
    });
    // The write goes out, then the process "dies": the apply never returns, its lock stays.
    const client: JumpCloudClient = {
      ...deps.client,
      async put<T>(path: string, body: unknown): Promise<T> {
        await deps.client.put(path, body);
        wrote();
        return new Promise<T>(() => {});
      },
    };
    void applyPlan({ ...deps, client }, { ...WHO, planId: plan.planId });
    await written;
    expect(bobOf(h).enableMultiFactor).toBe(true);
    const stored = await h.record(plan.planId);
    expect(stored.status).toBe("applying");
    expect(journalLines(stored)).toEqual([`apply intent 1.1:admin:${bobOf(h)._id}`]);
    expect(await h.locked()).toBe(true);
    expect((await rejection(rollbackPlan(h.deps(), { ...WHO, planId: plan.planId }))).code).toBe("LOCKED");

    const later = new Date(NOW.getTime() + 21 * 60_000);
    const rolledBack = await rollbackPlan(h.deps({ clock: () => later }), { ...WHO, planId: plan.planId });
    expect(rolledBack.rolledBack?.outcomes).toEqual([
      { actionId: `1.1:admin:${bobOf(h)._id}`, outcome: "restored" },
    ]);
    expect(bobOf(h).enableMultiFactor).toBe(false);
    expect(await h.locked()).toBe(false);
  });
});

describe("storing the record in S3 after writes", () => {
  const s3 = mockClient(S3Client);
  const kms = mockClient(KMSClient);
  afterEach(() => {
    s3.reset();
    kms.reset();
  });

  /** Dependencies over the simulator, a mocked S3 bucket and a mocked KMS HMAC key. */
  function awsDeps(h: Harness) {
    const bucket = conditionalBucket(s3);
    fakeKms(kms);
    const deps: RemediationDependencies = h.deps({
      store: s3RemediationStore(new S3Client({ region: "us-east-1" }), "jc-findings-test"),
      sealer: kmsSealer(new KMSClient({ region: "us-east-1" }), SEAL_KEY_ARN),
    });
    /** The record as stored in the bucket, its seal verified with the KMS key. */
    const stored = async (planId: string) => {
      const key = remediationKeys.plan(ORG_ID, planId);
      return parseRecord(await openRecord(deps.sealer, key, bucket.objects.get(key)?.text ?? ""), key);
    };
    return { bucket, deps, stored };
  }

  it("is retried: two failed tries after the write, then the record is stored and the apply announced", async () => {
    const h = harness();
    const { bucket, deps, stored } = awsDeps(h);
    bobOf(h).enableMultiFactor = false;
    const plan = await planRemediation(deps, { ...WHO, controls: ["1.1"] });
    let failures = 2;
    bucket.failPut = (key) =>
      key.endsWith(`${plan.planId}.json`) && h.sim.writes().length > 0 && failures-- > 0;

    const { plan: applied } = await applyPlan(deps, { ...WHO, planId: plan.planId });
    expect(applied.status).toBe("applied");
    expect((await stored(plan.planId)).status).toBe("applied");
    expect(h.logger.lines.filter((l) => l.message === "Storing the remediation record failed")).toHaveLength(
      2,
    );
    expect(h.notifier.messages).toHaveLength(1);
    expect(h.notifier.messages[0]?.email).toContain(
      `Require MFA for admin ${BOB} (enableMultiFactor: false → true): applied`,
    );
  });

  it("failing for good: RECORD_NOT_STORED, the notification lists every write, and the stored intent lets rollback undo it later", async () => {
    const h = harness();
    const { bucket, deps, stored } = awsDeps(h);
    bobOf(h).enableMultiFactor = false;
    const plan = await planRemediation(deps, { ...WHO, controls: ["1.1"] });
    bucket.failPut = (key) => key.endsWith(`${plan.planId}.json`) && h.sim.writes().length > 0;

    const error = await rejection(applyPlan(deps, { ...WHO, planId: plan.planId }));
    expect(error.code).toBe("RECORD_NOT_STORED");
    expect(error.message).toBe(
      `Applied plan ${plan.planId}, but its record could not be stored (We encountered an internal error. Please try again.); the changes were announced on the alerts topic: Require MFA for admin ${BOB}`,
    );
    expect(bobOf(h).enableMultiFactor).toBe(true);
    const [message] = h.notifier.messages;
    expect(h.notifier.messages).toHaveLength(1);
    expect(message?.attributes.severity).toBe("high");
    expect(message?.email).toContain(
      `The record of plan ${plan.planId} could not be stored (We encountered an internal error. Please try again.): this message is the only record of these changes`,
    );
    expect(message?.email).toContain(
      `Require MFA for admin ${BOB} (enableMultiFactor: false → true): applied`,
    );
    // What S3 holds is the intent, stored before the write.
    const left = await stored(plan.planId);
    expect(left.status).toBe("applying");
    expect(journalLines(left)).toEqual([`apply intent 1.1:admin:${bobOf(h)._id}`]);
    expect(bucket.objects.has(`remediations/${ORG_ID}/lock.json`)).toBe(false);

    bucket.failPut = undefined;
    const rolledBack = await rollbackPlan(deps, { ...WHO, planId: plan.planId });
    expect(rolledBack.rolledBack?.outcomes).toEqual([
      { actionId: `1.1:admin:${bobOf(h)._id}`, outcome: "restored" },
    ]);
    expect(bobOf(h).enableMultiFactor).toBe(false);
    expect((await stored(plan.planId)).status).toBe("rolled-back");
  });
});
