/**
 * A stale lock is broken only by a conditional delete of that very lock (locally an atomic rename, in S3
 * If-Match on its ETag): of two callers breaking it at the same moment, exactly one proceeds. A lock is
 * released the same way, so a run that outlived its lock never removes the next holder's.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { s3RemediationStore } from "../../../lambdas/adapters/s3-remediation-store.js";
import type { RemediationStore } from "../../../lambdas/remediation/record.js";
import { applyPlan, planRemediation } from "../../../lambdas/remediation/service.js";
import { localRemediationStore } from "../../../lambdas/store/local-remediation-store.js";
import type { Doc } from "../../../sim/query.js";
import { conditionalBucket } from "./fake-bucket.js";
import { type Harness, NOW, ORG_ID, useHarness, WHO, writeLines } from "./harness.js";

const harness = useHarness();
const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const STALE = {
  planId: "rp-20261128T100000Z-0000dead",
  requestedBy: "a run that died",
  since: new Date(NOW.getTime() - 21 * 60_000).toISOString(),
};

const stores: [string, (h: Harness) => RemediationStore][] = [
  ["a local folder (atomic rename)", (h) => localRemediationStore(h.root)],
  [
    "S3 (DeleteObject If-Match on the ETag)",
    () => {
      conditionalBucket(s3);
      return s3RemediationStore(new S3Client({ region: "us-east-1" }), "jc-findings-test");
    },
  ],
];

/**
 * Both callers have seen the same stale lock and reach `breakLock`; then either both break at the same
 * moment, or the second breaks only after the first has broken it and taken a new lock (the interleaving
 * in which an unconditional delete let both proceed).
 */
function twoBreakers(
  inner: RemediationStore,
  order: "together" | "late",
): RemediationStore & { results: boolean[] } {
  let arrived = 0;
  let bothThere = () => {};
  const both = new Promise<void>((resolve) => {
    bothThere = resolve;
  });
  let retaken = () => {};
  const firstRetook = new Promise<void>((resolve) => {
    retaken = resolve;
  });
  const results: boolean[] = [];
  return {
    ...inner,
    results,
    async acquireLock(orgId, lock) {
      const outcome = await inner.acquireLock(orgId, lock);
      if (outcome.acquired && arrived > 0) retaken();
      return outcome;
    },
    async breakLock(orgId, tag) {
      arrived += 1;
      const second = arrived === 2;
      if (second) bothThere();
      await both;
      if (second && order === "late") await firstRetook;
      const broke = await inner.breakLock(orgId, tag);
      results.push(broke);
      return broke;
    },
  };
}

describe.each(stores)("a stale lock in %s", (_name, makeStore) => {
  it.each([
    ["at the same moment", "together"],
    ["one after the other has broken it and taken a new lock", "late"],
  ] as const)(
    "two callers breaking it %s: exactly one proceeds, the other is LOCKED",
    async (_when, order) => {
      const h = harness();
      (h.org.admins.find((a) => a.email === "bob.admin@example.com") as Doc).enableMultiFactor = false;
      const inner = makeStore(h);
      const plan = await planRemediation(h.deps({ store: inner }), { ...WHO, controls: ["1.1"] });
      expect(await inner.acquireLock(ORG_ID, STALE)).toMatchObject({ acquired: true });
      const store = twoBreakers(inner, order);

      const outcomes = await Promise.allSettled([
        applyPlan(h.deps({ store }), { ...WHO, planId: plan.planId }),
        applyPlan(h.deps({ store }), { requestedBy: "carol.helpdesk@example.com", planId: plan.planId }),
      ]);

      expect(store.results.sort()).toEqual([false, true]);
      const proceeded = outcomes.filter((o) => o.status === "fulfilled");
      const locked = outcomes.filter((o) => o.status === "rejected");
      expect(proceeded).toHaveLength(1);
      expect(proceeded[0]?.value.noop).toBe(false);
      expect(locked).toHaveLength(1);
      expect(locked[0]?.reason).toMatchObject({ code: "LOCKED" });
      expect(writeLines(h.sim)).toHaveLength(1);
      expect(await inner.acquireLock(ORG_ID, STALE), "the winner released its lock").toMatchObject({
        acquired: true,
      });
    },
  );

  it("a run whose lock was broken and taken over does not release the new holder's lock", async () => {
    const h = harness();
    const store = makeStore(h);
    const first = await store.acquireLock(ORG_ID, STALE);
    expect(first.acquired).toBe(true);
    const seen = await store.acquireLock(ORG_ID, { ...STALE, planId: "rp-20261128T120000Z-00000002" });
    expect(seen).toMatchObject({ acquired: false, holder: STALE });
    expect(seen.tag).toBeDefined();
    expect(await store.breakLock(ORG_ID, seen.tag as string)).toBe(true);
    expect(await store.breakLock(ORG_ID, seen.tag as string), "a lock is broken once").toBe(false);
    const second = await store.acquireLock(ORG_ID, { ...STALE, planId: "rp-20261128T120000Z-00000002" });
    expect(second.acquired).toBe(true);

    await store.releaseLock(ORG_ID, first.tag); // the first run ends late
    expect(await store.acquireLock(ORG_ID, STALE), "the second run still holds its lock").toMatchObject({
      acquired: false,
      holder: { planId: "rp-20261128T120000Z-00000002" },
    });
    await store.releaseLock(ORG_ID, second.tag);
    expect(await store.acquireLock(ORG_ID, STALE)).toMatchObject({ acquired: true });
  });
});
