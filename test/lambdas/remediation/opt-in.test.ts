/** Opt-in remediations (2.2, 4.2): planned only when named, with a lock-out warning; the RADIUS secret never leaks. */
import { describe, expect, it } from "vitest";
import { planActions } from "../../../lambdas/remediation/record.js";
import { applyPlan, planRemediation } from "../../../lambdas/remediation/service.js";
import type { Doc } from "../../../sim/query.js";
import { rejection } from "../../helpers/simulator.js";
import { type Harness, lifecycle, rows, useHarness, WHO, writeLines } from "./harness.js";

const harness = useHarness();

describe("2.2 system MFA (opt-in)", () => {
  const breakIt = (h: Harness) => {
    const system = h.org.systems.find((s) => s.hostname === "darwin-001") as Doc;
    system.allowMultiFactorAuthentication = false;
    return system;
  };

  it("is not planned unless named, even when it fails", async () => {
    const h = harness();
    breakIt(h);
    const plan = await planRemediation(h.deps(), { ...WHO });
    expect(plan.controls.map((c) => c.controlId)).toEqual(["1.1", "2.1", "3.1", "5.1"]);
    expect(planActions(plan)).toEqual([]);
    expect(writeLines(h.sim)).toEqual([]);
  });

  it("when named: warns of lock-out, requires MFA on the one system, and rolls it back", async () => {
    const h = harness();
    const system = breakIt(h);

    const { plan, applyWrites, rollbackWrites } = await lifecycle(h, {
      controlId: "2.2",
      request: { controls: ["2.2"] },
      state: () => h.org.systems,
    });

    const planned = plan.controls[0];
    expect(planned).toMatchObject({ controlId: "2.2", automated: "opt-in", statusBefore: "FAIL" });
    expect(planned?.warnings.join(" ")).toMatch(/^Lock-out risk: users without MFA enrolled cannot log in/);
    expect(rows(plan)).toEqual(["darwin-001 allowMultiFactorAuthentication: false → true"]);
    expect(applyWrites.map((w) => [w.method, w.path, w.body])).toEqual([
      ["PUT", `/api/systems/${system._id}`, { allowMultiFactorAuthentication: true }],
    ]);
    expect(rollbackWrites.map((w) => [w.method, w.path, w.body])).toEqual([
      ["PUT", `/api/systems/${system._id}`, { allowMultiFactorAuthentication: false }],
    ]);
  });
});

describe("4.2 RADIUS MFA (opt-in)", () => {
  const radius = (h: Harness) => h.org.radiusServers[0] as Doc;
  const breakIt = (h: Harness) => {
    const server = radius(h);
    server.mfa = "ENABLED";
    return { server, secret: server.sharedSecret as string };
  };

  it("is not planned unless named", async () => {
    const h = harness();
    breakIt(h);
    const plan = await planRemediation(h.deps(), { ...WHO });
    expect(plan.controls.some((c) => c.controlId === "4.2")).toBe(false);
    expect(planActions(plan)).toEqual([]);
  });

  it("when named: ENABLED → REQUIRED, passing the secret through unchanged and never exposing it", async () => {
    const h = harness();
    const { server, secret } = breakIt(h);
    expect(secret.length).toBeGreaterThanOrEqual(16);

    const { plan, applied, rolledBack, applyWrites, rollbackWrites, afterApply } = await lifecycle(h, {
      controlId: "4.2",
      request: { controls: ["4.2"] },
      state: () => h.org.radiusServers,
    });

    expect(plan.controls[0]?.warnings.join(" ")).toMatch(/^Lock-out risk: with MFA REQUIRED/);
    expect(rows(plan)).toEqual(['Office Wi-Fi mfa: "ENABLED" → "REQUIRED"']);
    // The PUT needs name, source IP and secret: the log shows the secret masked, the server keeps it.
    const body = { name: "Office Wi-Fi", networkSourceIp: "203.0.113.1", sharedSecret: "[REDACTED]" };
    expect(applyWrites.map((w) => [w.method, w.path, w.body])).toEqual([
      ["PUT", `/api/radiusservers/${server._id}`, { ...body, mfa: "REQUIRED" }],
    ]);
    expect(rollbackWrites.map((w) => [w.method, w.path, w.body])).toEqual([
      ["PUT", `/api/radiusservers/${server._id}`, { ...body, mfa: "ENABLED" }],
    ]);
    expect((afterApply as Doc[])[0]).toMatchObject({ mfa: "REQUIRED", sharedSecret: secret });
    expect(radius(h)).toMatchObject({ mfa: "ENABLED", sharedSecret: secret });

    const exposed = [
      JSON.stringify(plan),
      JSON.stringify(applied),
      JSON.stringify(rolledBack),
      ...(await h.storedFiles()).map((f) => f.text),
      h.logger.text(),
      JSON.stringify(h.notifier.messages),
      JSON.stringify(h.sim.requests),
    ].join("\n");
    expect(h.logger.lines.length).toBeGreaterThan(0);
    expect(h.notifier.messages).toHaveLength(2);
    expect(exposed).not.toContain(secret);
  });

  it.each([
    [400, "BAD_REQUEST"],
    [500, "WRITE_FAILED"],
  ])("a %s on the PUT fails without the secret in the error, the logs or the store", async (status, code) => {
    const h = harness();
    const { server, secret } = breakIt(h);
    const plan = await planRemediation(h.deps(), { ...WHO, controls: ["4.2"] });
    h.sim.faults.add({ kind: "status", status, method: "PUT", path: "/api/radiusservers/*", times: 1 });

    const error = await rejection(applyPlan(h.deps(), { ...WHO, planId: plan.planId }));
    expect(error.code).toBe(code);
    expect(writeLines(h.sim)).toEqual([`PUT /api/radiusservers/${server._id}`]);
    expect(radius(h)).toMatchObject({ mfa: "ENABLED", sharedSecret: secret });
    expect(await h.locked()).toBe(false);
    const exposed = [
      error.message,
      String(error.stack),
      JSON.stringify(error),
      h.logger.text(),
      ...(await h.storedFiles()).map((f) => f.text),
    ].join("\n");
    expect(exposed).not.toContain(secret);
  });
});
