import { describe, expect, it } from "vitest";
import { EngineError } from "../../../lambdas/engine/errors.js";
import { policy, policyResult, system, template } from "../../../sim/presets/builders.js";
import { LOCK_TIMEOUT_FIELD } from "../../../sim/presets/catalog.js";
import type { Doc } from "../../../sim/query.js";
import { auditControl, auditPreset, failing, hexId, NOW, useFreshSimulator } from "../../helpers/audit.js";

const { sim, org } = useFreshSimulator();
const policyNamed = (name: string) => org().policies.find((p) => p.name === name) as Doc;
const systemNamed = (hostname: string) => org().systems.find((s) => s.hostname === hostname) as Doc;
const statusOf = (policyName: string, hostname: string) =>
  org().policyStatuses.find(
    (s) => s.policyID === policyNamed(policyName).id && s.systemID === systemNamed(hostname)._id,
  ) as Doc;
const removePolicy = (name: string) => {
  const p = policyNamed(name);
  org().policies = org().policies.filter((x) => x !== p);
  org().policyStatuses = org().policyStatuses.filter((s) => s.policyID !== p.id);
};
const policyEvidence = (finding: Awaited<ReturnType<typeof auditControl>>, name: string) =>
  (finding.evidence?.policies as Doc[] | undefined)?.find((p) => p.name === name);
const resultOf = (finding: Awaited<ReturnType<typeof auditControl>>, name: string, check: string) =>
  finding.results.find((r) => r.resourceName === name && r.check === check);

describe("4.1 Configure System Policies", () => {
  it("PASS when every OS family has the four policies, applied everywhere, locking within 5 minutes", async () => {
    const finding = await auditControl(sim(), "4.1");
    expect(finding.status).toBe("PASS");
    // 3 families × 4 kinds present, 9 systems × 4 kinds applied, 3 lock timeouts.
    expect(finding.counts).toEqual({ PASS: 51, FAIL: 0, MANUAL: 0, MUTED: 0, ERROR: 0 });
    expect(finding.summary).toBe(
      "12 of 12 required policies exist for the macOS, Windows, Linux systems (expected screen lock, full-disk encryption, firewall and OS updates for each); 36 of 36 system policy results succeeded (expected all); 3 of 3 screen-lock policies lock within 5 minutes.",
    );
    expect(resultOf(finding, "Lock Screen (darwin)", "screen-lock-timeout")).toMatchObject({
      status: "PASS",
      observed: 5,
      measure: { value: 5, unit: "minutes", worseWhen: "higher" },
    });
    expect(finding.evidence?.systemsByFamily).toEqual({ darwin: 3, windows: 3, linux: 3 });
  });

  it("FAIL naming the system whose latest result failed (success: false)", async () => {
    Object.assign(
      statusOf("Local Firewall Controls (darwin)", "darwin-004"),
      policyResult(
        statusOf("Local Firewall Controls (darwin)", "darwin-004").id as string,
        policyNamed("Local Firewall Controls (darwin)").id as string,
        systemNamed("darwin-004")._id as string,
        NOW,
        false,
      ),
    );
    const finding = await auditControl(sim(), "4.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["darwin-004: firewall"]);
    expect(resultOf(finding, "darwin-004", "firewall")).toMatchObject({
      message: "Local Firewall Controls (darwin): failed (state failed)",
      observed: { "Local Firewall Controls (darwin)": "failed" },
    });
    expect(finding.summary).toMatch(
      /35 of 36 system policy results succeeded \(expected all\), failing on darwin-004;/,
    );
    const evidence = policyEvidence(finding, "Local Firewall Controls (darwin)");
    expect(evidence).toMatchObject({
      kind: "firewall",
      systems: 3,
      success: 2,
      failed: 1,
      pending: 0,
      noResult: 0,
    });
  });

  it("FAIL when a system of the policy's family has no result (not bound or not yet applied)", async () => {
    const missing = statusOf("Automatic Security Updates (linux)", "linux-006");
    org().policyStatuses = org().policyStatuses.filter((s) => s !== missing);
    const finding = await auditControl(sim(), "4.1");
    expect(failing(finding)).toEqual(["linux-006: os-updates"]);
    expect(resultOf(finding, "linux-006", "os-updates")?.message).toBe(
      "Automatic Security Updates (linux): no result: not bound or not yet applied",
    );
  });

  it("FAIL when a result is still pending (no success yet), never PASS", async () => {
    const pending = statusOf("BitLocker (windows)", "windows-002");
    delete pending.success;
    pending.state = "pending";
    const finding = await auditControl(sim(), "4.1");
    expect(failing(finding)).toEqual(["windows-002: disk-encryption"]);
    expect(resultOf(finding, "windows-002", "disk-encryption")?.message).toBe(
      "BitLocker (windows): not applied yet (state pending)",
    );
  });

  it("FAIL for the OS family that lacks a required policy kind", async () => {
    removePolicy("Local Firewall Controls (windows)");
    const finding = await auditControl(sim(), "4.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["Windows: firewall-policy"]);
    const message = resultOf(finding, "Windows", "firewall-policy")?.message;
    expect(message).toMatch(
      /^No firewall policy for Windows \(3 systems\): no template with osMetaFamily "windows"/,
    );
    expect(message).toMatch(/most template names are not published/);
    expect(finding.summary).toMatch(
      /^11 of 12 required policies exist .*, missing: Windows firewall; 33 of 33 system/,
    );
  });

  it("FAIL for every kind when there is no device policy at all", async () => {
    org().policies = [];
    org().policyStatuses = [];
    const finding = await auditControl(sim(), "4.1");
    expect(finding.counts).toEqual({ PASS: 0, FAIL: 12, MANUAL: 0, MUTED: 0, ERROR: 0 });
    expect(failing(finding).slice(0, 4)).toEqual([
      "macOS: screen-lock-policy",
      "macOS: disk-encryption-policy",
      "macOS: firewall-policy",
      "macOS: os-updates-policy",
    ]);
    expect(finding.summary).toMatch(
      /no screen-lock policy to read a timeout from \(expected at most 5 minutes\)\.$/,
    );
  });

  it("recognises policies by osMetaFamily and keywords, not by exact template name", async () => {
    const firewall = policyNamed("Local Firewall Controls (windows)");
    firewall.template = {
      ...(firewall.template as Doc),
      name: "windows_Defender_Rules",
      displayName: "Defender Firewall",
    };
    expect((await auditControl(sim(), "4.1")).status).toBe("PASS");
  });

  it("does not take the real darwin_Encrypted_DNS_over_HTTPS template for disk encryption", async () => {
    const fileVault = policyNamed("FileVault 2 (darwin)");
    fileVault.template = template(
      (fileVault.template as Doc).id as string,
      "darwin_Encrypted_DNS_over_HTTPS",
      "Encrypted DNS over HTTPS",
      "darwin",
    );
    const finding = await auditControl(sim(), "4.1");
    expect(failing(finding)).toEqual(["macOS: disk-encryption-policy"]);
    expect(policyEvidence(finding, "FileVault 2 (darwin)")?.kind).toBeNull();
  });

  it("does not count a policy of another OS family (osMetaFamily decides)", async () => {
    const fileVault = policyNamed("FileVault 2 (darwin)");
    fileVault.template = { ...(fileVault.template as Doc), osMetaFamily: "ios" };
    expect(failing(await auditControl(sim(), "4.1"))).toEqual(["macOS: disk-encryption-policy"]);
  });

  it("with two policies of one kind, a system fails when either failed, in one result", async () => {
    const second = policy(
      hexId(1, "5f07"),
      "Stealth Firewall (darwin)",
      policyNamed("Local Firewall Controls (darwin)").template as Doc,
    );
    org().policies.push(second);
    for (const host of ["darwin-001", "darwin-004", "darwin-007"]) {
      org().policyStatuses.push(
        policyResult(
          hexId(org().policyStatuses.length, "5f08"),
          second.id as string,
          systemNamed(host)._id as string,
          NOW,
          host !== "darwin-007",
        ),
      );
    }
    const finding = await auditControl(sim(), "4.1");
    expect(failing(finding)).toEqual(["darwin-007: firewall"]);
    expect(resultOf(finding, "darwin-007", "firewall")?.message).toBe(
      "Stealth Firewall (darwin): failed (state failed)",
    );
    expect(resultOf(finding, "macOS", "firewall-policy")?.message).toBe(
      "firewall policy present: Local Firewall Controls (darwin), Stealth Firewall (darwin)",
    );
    const keys = finding.results.map((r) => `${r.resourceType}/${r.resourceId}/${r.check}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  describe("screen-lock timeout (the real `timeout` field, in seconds, typed JSON)", () => {
    const lock = () => policyNamed("Lock Screen (darwin)");
    const lockTemplate = () => org().policyTemplates.find((t) => t.id === (lock().template as Doc).id) as Doc;
    const setTimeout = (value: unknown) => {
      lock().values = [
        { configFieldID: LOCK_TIMEOUT_FIELD, configFieldName: "timeout", value, sensitive: false },
      ];
    };

    it("FAIL naming the policy, with a measure, at 900 seconds (a JSON number): 15 minutes", async () => {
      setTimeout(900);
      const finding = await auditControl(sim(), "4.1");
      expect(failing(finding)).toEqual(["Lock Screen (darwin): screen-lock-timeout"]);
      expect(resultOf(finding, "Lock Screen (darwin)", "screen-lock-timeout")).toMatchObject({
        message:
          'Locks after 15 minutes of inactivity (timeout ("Timeout") = 900 seconds); expected at most 5',
        observed: 15,
        expected: "≤ 5 minutes",
        measure: { value: 15, unit: "minutes", worseWhen: "higher" },
      });
      expect(finding.summary).toMatch(
        /2 of 3 screen-lock policies lock within 5 minutes \(Lock Screen \(darwin\): 15 minutes\)\.$/,
      );
    });

    it("PASS at 300 seconds, and reads a numeric string the same way", async () => {
      setTimeout(300);
      expect(
        resultOf(await auditControl(sim(), "4.1"), "Lock Screen (darwin)", "screen-lock-timeout"),
      ).toMatchObject({ status: "PASS", observed: 5 });
      setTimeout("900");
      expect(
        resultOf(await auditControl(sim(), "4.1"), "Lock Screen (darwin)", "screen-lock-timeout"),
      ).toMatchObject({ status: "FAIL", observed: 15 });
    });

    it("minutes only when the label says so (the Windows template's label names minutes)", async () => {
      const finding = await auditControl(sim(), "4.1");
      expect(resultOf(finding, "Lock Screen (windows)", "screen-lock-timeout")).toMatchObject({
        status: "PASS",
        observed: 5,
        message:
          'Locks after 5 minutes of inactivity (timeout ("Timeout (minutes)") = 5 minutes); expected at most 5',
      });
    });

    it("reads the field definitions from GET /policytemplates/{id} when the policy carries none", async () => {
      setTimeout(900);
      sim().scenario.omitPolicyConfigFields = true;
      lock().values = [{ configFieldID: LOCK_TIMEOUT_FIELD, value: 900 }]; // no configFieldName either
      const finding = await auditControl(sim(), "4.1");
      expect(resultOf(finding, "Lock Screen (darwin)", "screen-lock-timeout")).toMatchObject({
        status: "FAIL",
        observed: 15,
      });
      expect(sim().requests.some((r) => r.path.startsWith("/api/v2/policytemplates/"))).toBe(true);
    });

    it.each([
      [
        "no field named like a timeout",
        () => {
          lock().values = [{ configFieldID: "f9", configFieldName: "message", value: "Locked" }];
          lockTemplate().configFields = [{ id: "f9", name: "message", label: "Message" }];
        },
        /no config field named like a lock timeout/,
      ],
      ["no value for the field", () => (lock().values = []), /no value set for timeout \("Timeout"\)/],
      [
        "a field without a unit that is not named timeout",
        () => {
          lock().values = [{ configFieldID: "f9", configFieldName: "idle_time", value: 300 }];
          lockTemplate().configFields = [{ id: "f9", name: "idle_time", label: "Idle time" }];
        },
        /idle_time \("Idle time"\) is 300 in an unknown unit/,
      ],
      [
        "two fields that look like a timeout",
        () =>
          (lock().values as Doc[]).push({ configFieldID: "f2", configFieldName: "idle_time", value: 600 }),
        /several config fields look like a timeout \(timeout, idle_time\)/,
      ],
    ] as const)("MANUAL, never PASS, with %s; the rest of the control stands", async (_, change, problem) => {
      change();
      const finding = await auditControl(sim(), "4.1");
      expect(finding.status).toBe("MANUAL");
      expect(failing(finding, "MANUAL")).toEqual(["Lock Screen (darwin): screen-lock-timeout"]);
      const { message } = resultOf(finding, "Lock Screen (darwin)", "screen-lock-timeout") ?? {};
      expect(message).toMatch(problem);
      expect(message).toMatch(/verify the lock timeout is at most 5 minutes/);
      expect(finding.summary).toMatch(
        /2 of 3 screen-lock policies lock within 5 minutes \(Lock Screen \(darwin\): unknown\)\.$/,
      );
    });

    it("a value of another type is an ERROR for that policy while a real FAIL elsewhere still decides the control", async () => {
      setTimeout("never");
      removePolicy("Local Firewall Controls (windows)");
      const finding = await auditControl(sim(), "4.1");
      expect(finding.status).toBe("FAIL");
      expect(failing(finding)).toEqual(["Windows: firewall-policy"]);
      expect(resultOf(finding, "Lock Screen (darwin)", "screen-lock-timeout")).toMatchObject({
        status: "ERROR",
      });
      expect(finding.error).toMatchObject({ code: "CHECK_NOT_EVALUATED" });
    });

    it("honours maxScreenLockMinutes in both directions", async () => {
      setTimeout(900);
      expect(
        (await auditControl(sim(), "4.1", { thresholds: { "4.1": { maxScreenLockMinutes: 15 } } })).status,
      ).toBe("PASS");
      setTimeout(300);
      const stricter = await auditControl(sim(), "4.1", {
        thresholds: { "4.1": { maxScreenLockMinutes: 4 } },
      });
      expect(failing(stricter)).toEqual([
        "Lock Screen (darwin): screen-lock-timeout",
        "Lock Screen (windows): screen-lock-timeout",
        "Lock Screen (linux): screen-lock-timeout",
      ]);
    });

    it.each([0, 61, "5"])("rejects maxScreenLockMinutes %j", async (value) => {
      const attempt = auditControl(sim(), "4.1", { thresholds: { "4.1": { maxScreenLockMinutes: value } } });
      await expect(attempt).rejects.toBeInstanceOf(EngineError);
      await expect(attempt).rejects.toMatchObject({ code: "INVALID_THRESHOLD" });
    });
  });

  it("FAIL on a system whose agent reports an unencrypted disk, though its encryption policy succeeded", async () => {
    systemNamed("darwin-004").fde = { active: false, keyPresent: false };
    const finding = await auditControl(sim(), "4.1");
    expect(failing(finding)).toEqual(["darwin-004: disk-encryption"]);
    expect(resultOf(finding, "darwin-004", "disk-encryption")?.message).toBe(
      "the agent reports the disk is not encrypted (fde.active false)",
    );
  });

  it("NOT_APPLICABLE when there are no systems", async () => {
    org().systems = [];
    const finding = await auditControl(sim(), "4.1");
    expect(finding.status).toBe("NOT_APPLICABLE");
    expect(finding.results).toEqual([]);
    expect(finding.summary).toMatch(/^No macOS, Windows or Linux systems are managed \(0 systems in all\)/);
  });

  it("does not evaluate systems of other OS families, and lists them", async () => {
    org().systems = [{ ...systemNamed("darwin-001"), osFamily: "ios", hostname: "ipad-01" }];
    const finding = await auditControl(sim(), "4.1");
    expect(finding.status).toBe("NOT_APPLICABLE");
    expect(finding.evidence?.systemsNotEvaluated).toEqual([{ system: "ipad-01", osFamily: "ios" }]);
  });

  it("only checks the families that have systems", async () => {
    org().systems = org().systems.filter((s) => s.osFamily === "windows");
    removePolicy("LUKS Full Disk Encryption (linux)");
    const finding = await auditControl(sim(), "4.1");
    expect(finding.status).toBe("PASS");
    expect(finding.summary).toMatch(/^4 of 4 required policies exist for the Windows systems/);
    expect(finding.summary).toMatch(/1 of 1 screen-lock policies/);
  });

  it("finds a failing system beyond the first page (>100 systems and results)", async () => {
    const macPolicies = org().policies.filter((p) => (p.template as Doc).osMetaFamily === "darwin");
    for (let i = 0; i < 150; i++) {
      const sys = system(hexId(i, "5fe3"), org().organization._id as string, NOW, {
        hostname: `mac-${i}`,
        os: "darwin",
      });
      org().systems.push(sys);
      macPolicies.forEach((p, k) => {
        const ok = !(i === 140 && (p.template as Doc).name === "filevault_2_darwin");
        org().policyStatuses.push(
          policyResult(hexId(i * 4 + k, "5fe8"), p.id as string, sys._id as string, NOW, ok),
        );
      });
    }
    const finding = await auditControl(sim(), "4.1");
    expect(failing(finding)).toEqual(["mac-140: disk-encryption"]);
    expect(finding.summary).toMatch(
      /635 of 636 system policy results succeeded \(expected all\), failing on mac-140;/,
    );
  });

  it("ERROR, never PASS, when systems cannot be read", async () => {
    sim().faults.add({ kind: "status", status: 500, path: "/api/systems" });
    const finding = await auditControl(sim(), "4.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error?.datasets).toMatchObject([{ dataset: "systems", status: 500 }]);
  });

  it.each(["/api/v2/policies", "/api/v2/policies/*", "/api/v2/policies/*/policystatuses"])(
    "ERROR when device policies cannot be read (%s)",
    async (path) => {
      sim().faults.add({ kind: "status", status: 500, path });
      const finding = await auditControl(sim(), "4.1");
      expect(finding.status).toBe("ERROR");
      expect(finding.results).toEqual([]);
      expect(finding.error?.datasets).toMatchObject([{ dataset: "devicePolicies", status: 500 }]);
    },
  );

  it("demo: FAIL on the documented gaps (no LUKS, 15-minute macOS lock, failing and missing BitLocker)", async () => {
    const finding = await auditPreset("demo", "4.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual([
      "windows-002: disk-encryption",
      "windows-005: disk-encryption",
      "windows-008: disk-encryption",
      "Linux: disk-encryption-policy",
      "Lock Screen (darwin): screen-lock-timeout",
    ]);
    expect(resultOf(finding, "windows-008", "disk-encryption")?.message).toBe(
      "BitLocker (windows): no result: not bound or not yet applied; the agent reports the disk is not encrypted (fde.active false)",
    );
    expect(policyEvidence(finding, "BitLocker (windows)")).toMatchObject({
      systems: 8,
      success: 5,
      failed: 2,
      noResult: 1,
    });
  });
});
