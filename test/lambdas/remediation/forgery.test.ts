/**
 * A stored plan edited as an attacker would (bucket or `--out` write access; with or without the seal
 * key): apply refuses with one clear error, JumpCloud receives no write, no marker, lock or record is
 * written, and nothing is written outside `--out`. Without the key, the seal refuses it before anything
 * is read from JumpCloud; with the key, the fresh plan refuses it.
 */
import { chmod, copyFile, readdir, readFile, stat, symlink, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { remediationKeys } from "../../../lambdas/remediation/record.js";
import { LOCAL_SEAL_KEY_FILE } from "../../../lambdas/remediation/seal.js";
import { applyPlan, planRemediation, rollbackPlan } from "../../../lambdas/remediation/service.js";
import type { Doc } from "../../../sim/query.js";
import { rejection } from "../../helpers/simulator.js";
import { type Harness, ORG_ID, useHarness, WHO, writeLines } from "./harness.js";

const harness = useHarness();

type Action = Record<string, unknown>;
type Editable = Record<string, unknown> & { controls: { actions: Action[] }[] };
const firstAction = (record: Record<string, unknown>) =>
  (record as Editable).controls[0]?.actions[0] as Action;

const admin = (h: Harness, email: string) => h.org.admins.find((a) => a.email === email) as Doc;

/** One broken thing and its plan: bob's MFA (1.1), darwin-001's MFA (2.2), or the all-users policy (2.1). */
async function planFor(h: Harness, what: "admin" | "system" | "policy" | "ranges") {
  if (what === "admin") admin(h, "bob.admin@example.com").enableMultiFactor = false;
  if (what === "system")
    (h.org.systems.find((s) => s.hostname === "darwin-001") as Doc).allowMultiFactorAuthentication = false;
  if (what === "policy")
    h.org.authnPolicies = h.org.authnPolicies.filter((p) => p.name !== "Require MFA - All Users");
  if (what === "ranges")
    h.org.authnPolicies = h.org.authnPolicies.filter((p) => p.name !== "MFA Outside Corporate");
  const controls = { admin: ["1.1"], system: ["2.2"], policy: ["2.1"], ranges: ["3.1"] }[what];
  return planRemediation(h.deps(), {
    ...WHO,
    controls,
    ...(what === "ranges" ? { trustedRanges: ["198.51.100.0/24"] } : {}),
  });
}

/** Every file under `--out`, with its text. */
async function files(h: Harness) {
  return (await h.storedFiles()).map((f) => `${f.path}\n${f.text}`).sort();
}

/** Applies and expects a refusal that changed nothing anywhere; returns the error. */
async function refused(h: Harness, planId: string, code: string, options: { readsNothing: boolean }) {
  const reads = h.sim.requests.length;
  const before = await files(h);
  const error = await rejection(applyPlan(h.deps(), { ...WHO, orgId: ORG_ID, planId }));
  expect(error).toMatchObject({ name: "RemediationError", code });
  expect(error.message.split("\n")).toHaveLength(1);
  expect(writeLines(h.sim), "no write reaches JumpCloud").toEqual([]);
  if (options.readsNothing)
    expect(h.sim.requests.slice(reads), "refused before anything is read").toEqual([]);
  expect(await files(h), "no record, marker or lock is written").toEqual(before);
  expect(await h.outside(), "nothing is written outside --out").toEqual([]);
  expect(h.notifier.messages).toEqual([]);
  return error;
}

const forgeries: {
  name: string;
  plan: "admin" | "system" | "policy";
  edit: (record: Record<string, unknown>, h: Harness) => void;
  /** The code when the attacker also holds the seal key (without it, every forgery is PLAN_TAMPERED). */
  resealed: string;
  message: RegExp;
}[] = [
  {
    name: "another kind: root SSH login on a system instead of an admin's MFA",
    plan: "admin",
    edit: (record, h) => {
      const action = firstAction(record);
      const system = h.org.systems[0] as Doc;
      delete action.adminId;
      Object.assign(action, {
        kind: "system-flag",
        systemId: system._id,
        flag: "allowSshRootLogin",
        field: "allowSshRootLogin",
        before: false,
        after: true,
      });
    },
    resealed: "PLAN_MISMATCH",
    message:
      /^Plan rp-[\w-]+ does not match what an audit plans now .*: 1\.1:admin:[0-9a-f]{24} \(bob\.admin@example\.com allowSshRootLogin\): its .*kind.* differ from what an audit plans now$/,
  },
  {
    name: "another field: root SSH login instead of system MFA",
    plan: "system",
    edit: (record) =>
      Object.assign(firstAction(record), { flag: "allowSshRootLogin", field: "allowSshRootLogin" }),
    resealed: "PLAN_MISMATCH",
    message: /its field, flag differ from what an audit plans now$/,
  },
  {
    name: "another resource: the same change aimed at another admin",
    plan: "admin",
    edit: (record, h) => {
      const carol = admin(h, "carol.helpdesk@example.com");
      Object.assign(firstAction(record), {
        adminId: carol._id,
        resource: { type: "admin", id: carol._id, name: carol.email },
      });
    },
    resealed: "PLAN_MISMATCH",
    message: /its resource, adminId differ from what an audit plans now$/,
  },
  {
    name: "another resource under its own action id",
    plan: "admin",
    edit: (record, h) => {
      const carol = admin(h, "carol.helpdesk@example.com");
      Object.assign(firstAction(record), {
        id: `1.1:admin:${carol._id}`,
        adminId: carol._id,
        resource: { type: "admin", id: carol._id, name: carol.email },
      });
    },
    resealed: "STATE_CHANGED",
    message:
      /carol\.helpdesk@example\.com enableMultiFactor: planned false → true, but an audit now plans no such change \(1\.1 is now FAIL\)$/,
  },
  {
    name: "before and after swapped: system MFA turned off",
    plan: "system",
    edit: (record) => Object.assign(firstAction(record), { before: true, after: false }),
    resealed: "PLAN_MISMATCH",
    message: /its before, after differ from what an audit plans now$/,
  },
  {
    name: "before and after swapped on an admin (a shape no planner makes)",
    plan: "admin",
    edit: (record) => Object.assign(firstAction(record), { before: true, after: false }),
    resealed: "PLAN_TAMPERED",
    message: /is not a remediation record this version can use \(controls\.0\.actions\.0\.after: /,
  },
  {
    name: "a deny-all authentication policy",
    plan: "policy",
    edit: (record) => {
      (firstAction(record).body as Doc).effect = { action: "deny" };
    },
    resealed: "PLAN_MISMATCH",
    message: /its body differ from what an audit plans now$/,
  },
  {
    name: "an authentication policy that no longer requires MFA",
    plan: "policy",
    edit: (record) => {
      const body = firstAction(record).body as { effect: { obligations: { mfa: { required: boolean } } } };
      body.effect.obligations.mfa.required = false;
    },
    resealed: "PLAN_MISMATCH",
    message: /its body differ from what an audit plans now$/,
  },
  {
    name: "an innocent description over the planned change",
    plan: "admin",
    edit: (record) => Object.assign(firstAction(record), { description: "Rename a label" }),
    resealed: "PLAN_MISMATCH",
    message: /its description differ from what an audit plans now$/,
  },
  {
    name: "a field no action has (smuggled into an admin change)",
    plan: "admin",
    edit: (record) => Object.assign(firstAction(record), { body: { enableMultiFactor: false } }),
    resealed: "PLAN_TAMPERED",
    message: /controls\.0\.actions\.0: Unrecognized key: "body"/,
  },
  {
    name: "a planId of ../../../x",
    plan: "admin",
    edit: (record) => Object.assign(record, { planId: "../../../x" }),
    resealed: "PLAN_TAMPERED",
    message: /\(planId: Invalid string: must match pattern/,
  },
  {
    name: "an orgId of ../../x",
    plan: "admin",
    edit: (record) => Object.assign(record, { orgId: "../../x" }),
    resealed: "PLAN_TAMPERED",
    message: /\(orgId: Invalid string: must match pattern/,
  },
  {
    name: "another plan's id",
    plan: "admin",
    edit: (record) => Object.assign(record, { planId: "rp-20261128T120000Z-aaaaaaaa" }),
    resealed: "PLAN_TAMPERED",
    message: /names plan rp-20261128T120000Z-aaaaaaaa of organization/,
  },
  {
    name: "a later expiry",
    plan: "admin",
    edit: (record) => Object.assign(record, { expiresAt: "2999-01-01T00:00:00.000Z" }),
    // With the key, the plan itself is still what an audit plans: only the seal can refuse this one.
    resealed: "",
    message: /./,
  },
];

describe("a stored plan edited without the seal key", () => {
  it.each(forgeries)(
    "$name: PLAN_TAMPERED before anything is read from JumpCloud",
    async ({ plan, edit }) => {
      const h = harness();
      const { planId } = await planFor(h, plan);
      await h.forge(planId, (record) => edit(record, h), false);
      const error = await refused(h, planId, "PLAN_TAMPERED", { readsNothing: true });
      expect(error.message).toBe(
        `The record ${remediationKeys.plan(ORG_ID, planId)} does not match its seal: it was changed after remediation wrote it, or moved from another plan; nothing was read from JumpCloud and nothing was changed: make a new plan`,
      );
    },
  );

  it("a status reset from applied to planned (a replay) is refused by the seal", async () => {
    const h = harness();
    const { planId } = await planFor(h, "admin");
    await applyPlan(h.deps(), { ...WHO, planId });
    const writes = h.sim.writes().length;
    await h.forge(
      planId,
      (record) => {
        record.status = "planned";
        delete record.applied;
      },
      false,
    );
    const error = await rejection(applyPlan(h.deps(), { ...WHO, orgId: ORG_ID, planId }));
    expect(error.code).toBe("PLAN_TAMPERED");
    expect(h.sim.writes()).toHaveLength(writes);
  });

  it("a bad MAC on an unchanged record is refused before anything is read", async () => {
    const h = harness();
    const { planId } = await planFor(h, "admin");
    const file = join(h.root, remediationKeys.plan(ORG_ID, planId));
    const envelope = JSON.parse(await readFile(file, "utf8")) as { seal: { mac: string } };
    envelope.seal.mac = Buffer.alloc(32, 7).toString("base64");
    await writeFile(file, JSON.stringify(envelope));
    const error = await refused(h, planId, "PLAN_TAMPERED", { readsNothing: true });
    expect(error.message).toContain("does not match its seal");
  });

  it("a record copied over another plan's is refused: the seal names where it is stored", async () => {
    const h = harness();
    const first = await planFor(h, "admin");
    const second = await planRemediation(h.deps(), { ...WHO, controls: ["1.1"] });
    await copyFile(
      join(h.root, remediationKeys.plan(ORG_ID, first.planId)),
      join(h.root, remediationKeys.plan(ORG_ID, second.planId)),
    );
    const error = await refused(h, second.planId, "PLAN_TAMPERED", { readsNothing: true });
    expect(error.message).toContain("does not match its seal");
  });

  it.each([
    ["not JSON", "{ not json"],
    [
      "JSON nested 20,000 arrays deep",
      `{"seal":{"alg":"HMAC_SHA_256","mac":"x"},"record":${"[".repeat(20_000)}${"]".repeat(20_000)}}`,
    ],
    ["an unsealed record of the earlier format", JSON.stringify({ schemaVersion: "1.0", status: "planned" })],
    ["a seal of another algorithm", JSON.stringify({ seal: { alg: "NONE", mac: "" }, record: {} })],
  ])("%s is refused (PLAN_TAMPERED) before anything is read", async (_name, text) => {
    const h = harness();
    const { planId } = await planFor(h, "admin");
    await writeFile(join(h.root, remediationKeys.plan(ORG_ID, planId)), text);
    const error = await refused(h, planId, "PLAN_TAMPERED", { readsNothing: true });
    expect(error.message).toMatch(
      /^The record remediations\/[0-9a-f]{24}\/rp-[\w-]+\.json (is not a sealed|has no seal)/,
    );
  });
});

describe("a stored plan edited and sealed again with the key (only the fresh plan stands between it and JumpCloud)", () => {
  it.each(forgeries.filter((f) => f.resealed))(
    "$name: $resealed, naming the action",
    async ({ plan, edit, resealed, message }) => {
      const h = harness();
      const { planId } = await planFor(h, plan);
      await h.forge(planId, (record) => edit(record, h), true);
      // Shape and id problems are refused before JumpCloud is read; a well-formed forgery needs the fresh plan.
      const error = await refused(h, planId, resealed, { readsNothing: resealed === "PLAN_TAMPERED" });
      expect(error.message).toMatch(message);
    },
  );

  it("a status reset to planned after apply: the fresh plan has nothing left to do (STATE_CHANGED)", async () => {
    const h = harness();
    const { planId } = await planFor(h, "admin");
    await applyPlan(h.deps(), { ...WHO, planId });
    const writes = h.sim.writes().length;
    await h.forge(
      planId,
      (record) => {
        record.status = "planned";
        delete record.applied;
      },
      true,
    );
    const error = await rejection(applyPlan(h.deps(), { ...WHO, planId }));
    expect(error.code).toBe("STATE_CHANGED");
    expect(h.sim.writes()).toHaveLength(writes);
  });

  it("trusted ranges widened in the record are validated again at apply (INVALID_REQUEST), nothing written", async () => {
    const h = harness();
    const { planId } = await planFor(h, "ranges");
    await h.forge(
      planId,
      (record) => {
        record.trustedRanges = ["0.0.0.0/0"];
        Object.assign(firstAction(record), { ips: ["0.0.0.0/0"] });
      },
      true,
    );
    const error = await refused(h, planId, "INVALID_REQUEST", { readsNothing: false });
    expect(error.message).toMatch(/^Trusted ranges refused: "0\.0\.0\.0\/0" overlaps/);
  });

  it("trusted ranges swapped for other public ones are refused when the operator's are given at apply", async () => {
    const h = harness();
    const { planId } = await planFor(h, "ranges");
    await h.forge(
      planId,
      (record) => {
        record.trustedRanges = ["203.0.113.0/24"];
        Object.assign(firstAction(record), { ips: ["203.0.113.0/24"] });
      },
      true,
    );
    const error = await rejection(
      applyPlan(h.deps(), { ...WHO, planId, trustedRanges: ["198.51.100.0/24"] }),
    );
    expect(error.code).toBe("INVALID_REQUEST");
    expect(error.message).toBe(
      `The trusted ranges given now (198.51.100.0/24) differ from those plan ${planId} was made with (203.0.113.0/24); make a new plan`,
    );
    expect(h.sim.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });
});

describe("a replayed record", () => {
  it("an older sealed copy restored after apply and rollback is refused (PLAN_REPLAYED), nothing written", async () => {
    const h = harness();
    const { planId } = await planFor(h, "admin");
    const file = join(h.root, remediationKeys.plan(ORG_ID, planId));
    const planned = await readFile(file, "utf8");
    await applyPlan(h.deps(), { ...WHO, planId });
    await rollbackPlan(h.deps(), { ...WHO, planId });
    expect(admin(h, "bob.admin@example.com").enableMultiFactor).toBe(false);
    const writes = h.sim.writes().length;
    await writeFile(file, planned); // the state is as planned again: only the operation markers know better

    const error = await rejection(applyPlan(h.deps(), { ...WHO, planId }));
    expect(error.code).toBe("PLAN_REPLAYED");
    expect(error.message).toBe(
      `Plan ${planId}'s record is older than operation 1, which was already started (a restored or replayed copy, or an earlier run that stopped before recording); nothing was changed: make a new plan`,
    );
    expect(h.sim.writes()).toHaveLength(writes);
    expect(admin(h, "bob.admin@example.com").enableMultiFactor).toBe(false);
    expect(await h.locked()).toBe(false);
  });
});

describe("ids", () => {
  it.each([
    ["../../../x", undefined],
    ["rp-..%2F..%2Fx", undefined],
    ["rp-20261128T120000Z-deadbeef", "../../x"],
  ])(
    "apply and rollback refuse planId %s (orgId %s) as INVALID_REQUEST before reading or writing",
    async (planId, orgId) => {
      const h = harness();
      for (const run of [applyPlan, rollbackPlan]) {
        const error = await rejection(run(h.deps(), { ...WHO, planId, ...(orgId ? { orgId } : {}) }));
        expect(error).toMatchObject({ code: "INVALID_REQUEST" });
      }
      expect(h.sim.requests).toEqual([]);
      expect(await h.storedFiles()).toEqual([]);
      expect(await h.outside()).toEqual([]);
    },
  );

  it("storage keys are built only from valid ids", () => {
    expect(() => remediationKeys.plan(ORG_ID, "../../x")).toThrow(/is not a plan id/);
    expect(() => remediationKeys.plan("../..", "rp-20261128T120000Z-deadbeef")).toThrow(
      /is not 24 hexadecimal/,
    );
    expect(() => remediationKeys.lock("../x")).toThrow(/is not 24 hexadecimal/);
    expect(() => remediationKeys.marker(ORG_ID, "rp-20261128T120000Z-deadbeef", 0)).toThrow(/Bad operation/);
    expect(remediationKeys.plan(ORG_ID, "rp-20261128T120000Z-deadbeef")).toBe(
      `remediations/${ORG_ID}/rp-20261128T120000Z-deadbeef.json`,
    );
  });

  it("an organization id the API answers with is validated before it names a folder", async () => {
    const h = harness();
    h.org.organization._id = "../../../../tmp/evil";
    const error = await rejection(planRemediation(h.deps(), { ...WHO, controls: ["1.1"] }));
    expect(error).toMatchObject({ code: "INVALID_REQUEST" });
    expect(await h.storedFiles()).toEqual([]);
    expect(await h.outside()).toEqual([]);
  });
});

describe("the local seal key", () => {
  const keyFile = (h: Harness) => join(h.root, LOCAL_SEAL_KEY_FILE);

  it("is created under --out with mode 0600 by the first plan", async () => {
    const h = harness();
    await planFor(h, "admin");
    expect(((await stat(keyFile(h))).mode & 0o777).toString(8)).toBe("600");
    expect((await readFile(keyFile(h), "utf8")).trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(await readdir(h.root)).toContain(LOCAL_SEAL_KEY_FILE);
  });

  it("with mode 0644 is refused (SEAL_KEY_INVALID) before anything is read from JumpCloud", async () => {
    const h = harness();
    const { planId } = await planFor(h, "admin");
    await chmod(keyFile(h), 0o644);
    const error = await refused(h, planId, "SEAL_KEY_INVALID", { readsNothing: true });
    expect(error.message).toBe(
      `The remediation seal key ${keyFile(h)} has mode 0644: other users can read or change it; make it 0600 (chmod 600 ${keyFile(h)}), or remove it and make new plans`,
    );
  });

  it("as a symbolic link is refused, not followed", async () => {
    const h = harness();
    const { planId } = await planFor(h, "admin");
    const elsewhere = join(h.root, "elsewhere.key");
    await copyFile(keyFile(h), elsewhere);
    await unlink(keyFile(h));
    await symlink(elsewhere, keyFile(h));
    const error = await refused(h, planId, "SEAL_KEY_INVALID", { readsNothing: true });
    expect(error.message).toContain("is a symbolic link");
  });

  it("when missing, no stored plan can be verified (and none is silently re-keyed)", async () => {
    const h = harness();
    const { planId } = await planFor(h, "admin");
    await unlink(keyFile(h));
    const error = await refused(h, planId, "SEAL_KEY_INVALID", { readsNothing: true });
    expect(error.message).toContain("is missing, so no stored plan can be verified");
  });
});
