import { describe, expect, it } from "vitest";
import { systemMfa } from "../../../lambdas/controls/system-mfa.js";
import { statusFromResults } from "../../../lambdas/engine/findings.js";
import type { JcSystem } from "../../../lambdas/jumpcloud/types.js";
import { system } from "../../../sim/presets/builders.js";
import type { Doc } from "../../../sim/query.js";
import { auditControl, auditPreset, failing, hexId, NOW, useFreshSimulator } from "../../helpers/audit.js";

const { sim, org } = useFreshSimulator();
const byHost = (hostname: string) => org().systems.find((s) => s.hostname === hostname) as Doc;
const messageOf = (finding: Awaited<ReturnType<typeof auditControl>>, name: string, check: string) =>
  finding.results.find((r) => r.resourceName === name && r.check === check)?.message;

describe("2.2 Configure MFA for System Access", () => {
  it("PASS when every system has MFA at login and Linux refuses SSH passwords and root login", async () => {
    const finding = await auditControl(sim(), "2.2");
    expect(finding.status).toBe("PASS");
    // 9 systems × mfa + 3 Linux × (ssh-password, ssh-root-login)
    expect(finding.counts).toEqual({ PASS: 15, FAIL: 0, MANUAL: 0, MUTED: 0, ERROR: 0 });
    expect(finding.summary).toBe(
      "9 of 9 systems have MFA at login and 3 of 3 Linux systems refuse SSH passwords and root login (expected all).",
    );
    expect(finding.results.filter((r) => r.resourceName === "linux-003").map((r) => r.check)).toEqual([
      "mfa",
      "ssh-password",
      "ssh-root-login",
    ]);
  });

  it("FAIL naming the system without MFA at login", async () => {
    byHost("darwin-001").allowMultiFactorAuthentication = false;
    const finding = await auditControl(sim(), "2.2");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["darwin-001: mfa"]);
    expect(messageOf(finding, "darwin-001", "mfa")).toBe("MFA at login is off");
    expect(finding.summary).toBe(
      "8 of 9 systems have MFA at login and 3 of 3 Linux systems refuse SSH passwords and root login (expected all); MFA off: darwin-001.",
    );
  });

  it("FAIL when a Linux system allows SSH password authentication", async () => {
    byHost("linux-003").allowSshPasswordAuthentication = true;
    const finding = await auditControl(sim(), "2.2");
    expect(failing(finding)).toEqual(["linux-003: ssh-password"]);
    expect(messageOf(finding, "linux-003", "ssh-password")).toBe("SSH password authentication is allowed");
  });

  it("FAIL when a Linux system allows SSH root login", async () => {
    byHost("linux-006").allowSshRootLogin = true;
    const finding = await auditControl(sim(), "2.2");
    expect(failing(finding)).toEqual(["linux-006: ssh-root-login"]);
    expect(messageOf(finding, "linux-006", "ssh-root-login")).toBe("SSH root login is allowed");
    expect(finding.summary).toMatch(
      /2 of 3 Linux systems refuse SSH passwords and root login .*; SSH root login allowed: linux-006\.$/,
    );
  });

  it("does not judge SSH settings on macOS or Windows", async () => {
    Object.assign(byHost("windows-002"), { allowSshPasswordAuthentication: true, allowSshRootLogin: true });
    const finding = await auditControl(sim(), "2.2");
    expect(finding.status).toBe("PASS");
    expect(finding.results.filter((r) => r.resourceName === "windows-002").map((r) => r.check)).toEqual([
      "mfa",
    ]);
  });

  it("still evaluates inactive systems, and says so", async () => {
    Object.assign(byHost("linux-009"), {
      active: false,
      lastContact: "2026-11-16T12:00:00.000Z",
      allowMultiFactorAuthentication: false,
    });
    const finding = await auditControl(sim(), "2.2");
    expect(failing(finding)).toEqual(["linux-009: mfa"]);
    expect(messageOf(finding, "linux-009", "mfa")).toBe(
      "MFA at login is off (inactive, last contact 2026-11-16)",
    );
    expect(messageOf(finding, "linux-009", "ssh-root-login")).toBe(
      "SSH root login is off (inactive, last contact 2026-11-16)",
    );
    expect(finding.summary).toMatch(/; MFA off: linux-009; 1 inactive system is included\.$/);
    expect(finding.evidence?.inactiveSystems).toEqual(["linux-009"]);
  });

  it("MANUAL when the API does not report a setting", async () => {
    delete byHost("windows-005").allowMultiFactorAuthentication;
    delete byHost("linux-006").allowSshRootLogin;
    const finding = await auditControl(sim(), "2.2");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual(["windows-005: mfa", "linux-006: ssh-root-login"]);
    expect(messageOf(finding, "windows-005", "mfa")).toBe(
      "The API did not report allowMultiFactorAuthentication; check the system's settings in Devices",
    );
    expect(finding.summary).toMatch(/; settings not reported: windows-005, linux-006\.$/);
  });

  it("names systems by displayName, falling back to hostname", async () => {
    Object.assign(byHost("darwin-004"), {
      displayName: "Alice's MacBook",
      allowMultiFactorAuthentication: false,
    });
    const noDisplay = byHost("darwin-007");
    delete noDisplay.displayName;
    noDisplay.allowMultiFactorAuthentication = false;
    expect(failing(await auditControl(sim(), "2.2"))).toEqual(["Alice's MacBook: mfa", "darwin-007: mfa"]);
  });

  it("NOT_APPLICABLE when there are no managed systems", async () => {
    org().systems = [];
    const finding = await auditControl(sim(), "2.2");
    expect(finding.status).toBe("NOT_APPLICABLE");
    expect(finding.results).toEqual([]);
    expect(finding.summary).toBe(
      "No managed systems were returned; nothing to check (expected MFA at login on every system).",
    );
  });

  it("finds a failing system beyond the first page (>100 systems)", async () => {
    for (let i = 0; i < 150; i++) {
      org().systems.push(
        system(hexId(i, "5fc0"), org().organization._id as string, NOW, {
          hostname: `srv-${i}`,
          os: "linux",
          sshPassword: i === 130,
        }),
      );
    }
    const finding = await auditControl(sim(), "2.2");
    expect(failing(finding)).toEqual(["srv-130: ssh-password"]);
    expect(finding.summary).toMatch(/^159 of 159 systems have MFA at login and 152 of 153 Linux systems/);
  });

  it("has no thresholds: any override is rejected", async () => {
    await expect(
      auditControl(sim(), "2.2", { thresholds: { "2.2": { requireSsh: true } } }),
    ).rejects.toMatchObject({
      name: "EngineError",
      code: "INVALID_THRESHOLD",
      message: 'Control 2.2 has no threshold "requireSsh" (it has none)',
    });
  });

  it("ERROR, never PASS, when systems cannot be read", async () => {
    sim().faults.add({ kind: "status", status: 500, path: "/api/systems" });
    const finding = await auditControl(sim(), "2.2");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error).toMatchObject({
      code: "SERVER_ERROR",
      datasets: [{ dataset: "systems", status: 500 }],
    });
  });

  it("demo preset: three systems without MFA, one Linux server with SSH passwords and root login", async () => {
    const finding = await auditPreset("demo", "2.2");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual([
      "darwin-004: mfa",
      "windows-005: mfa",
      "linux-006: mfa",
      "linux-009: ssh-password",
      "linux-009: ssh-root-login",
    ]);
    expect(finding.summary).toBe(
      "21 of 24 systems have MFA at login and 7 of 8 Linux systems refuse SSH passwords and root login (expected all); MFA off: darwin-004, windows-005, linux-006; SSH passwords allowed: linux-009; SSH root login allowed: linux-009.",
    );
  });
});

/**
 * Pure audits over hand-built data: a setting (or, for an SSH setting that is on, the `osFamily`) that is
 * not reported is MANUAL, one of another type ERROR, never PASS; a compliant value stands whatever the OS;
 * one check that throws never hides another's FAIL.
 */
describe("2.2 on odd data (tolerant reading, check isolation)", () => {
  const systemDoc = (over: Record<string, unknown> = {}, n = 1): Record<string, unknown> => ({
    _id: hexId(n, "5fc1"),
    hostname: `host-${n}`,
    osFamily: "linux",
    active: true,
    allowMultiFactorAuthentication: true,
    allowSshPasswordAuthentication: false,
    allowSshRootLogin: false,
    ...over,
  });
  const run = (systems: unknown) => {
    const outcome = systemMfa.audit({ systems: systems as JcSystem[] }, {}, NOW);
    return { ...outcome, status: outcome.status ?? statusFromResults(outcome.results) };
  };
  const rows = (outcome: ReturnType<typeof run>) =>
    outcome.results.map((r) => `${r.resourceName}: ${r.check}: ${r.status}`);

  it("PASS on the compliant shape", () => {
    expect(rows(run([systemDoc()]))).toEqual([
      "host-1: mfa: PASS",
      "host-1: ssh-password: PASS",
      "host-1: ssh-root-login: PASS",
    ]);
  });

  it.each([
    ["a number", 1, "ERROR", "allowMultiFactorAuthentication is 1 (expected a boolean)"],
    ["a word", "yes", "ERROR", 'allowMultiFactorAuthentication is "yes" (expected a boolean)'],
    ["a list", [true], "ERROR", "allowMultiFactorAuthentication is [true] (expected a boolean)"],
    ["an object", {}, "ERROR", "allowMultiFactorAuthentication is {} (expected a boolean)"],
    ["null", null, "MANUAL", "The API did not report allowMultiFactorAuthentication"],
  ])(
    "`allowMultiFactorAuthentication` as %s is never PASS; the SSH checks stand",
    (_kind, value, status, words) => {
      const outcome = run([systemDoc({ allowMultiFactorAuthentication: value })]);
      expect(outcome.results[0]).toMatchObject({
        check: "mfa",
        status,
        message: `${words}; check the system's settings in Devices`,
      });
      expect(outcome.results.slice(1).map((r) => r.status)).toEqual(["PASS", "PASS"]);
      expect(outcome.status).toBe(status);
    },
  );

  it("an SSH setting that is on only matters on Linux: an unread `osFamily` makes it MANUAL or ERROR", () => {
    const outcome = run([
      systemDoc({ osFamily: undefined, allowSshRootLogin: true }, 1),
      systemDoc({ osFamily: 5, allowSshPasswordAuthentication: true }, 2),
      systemDoc({ osFamily: undefined }, 3),
      systemDoc({ osFamily: "windows", allowSshRootLogin: true, allowSshPasswordAuthentication: "x" }, 4),
      systemDoc({ osFamily: undefined, allowSshRootLogin: undefined }, 5),
    ]);
    expect(rows(outcome)).toEqual([
      "host-1: mfa: PASS",
      "host-2: mfa: PASS",
      "host-3: mfa: PASS",
      "host-4: mfa: PASS",
      "host-5: mfa: PASS",
      "host-1: ssh-password: PASS",
      "host-2: ssh-password: ERROR",
      "host-3: ssh-password: PASS",
      "host-5: ssh-password: PASS",
      "host-1: ssh-root-login: MANUAL",
      "host-2: ssh-root-login: PASS",
      "host-3: ssh-root-login: PASS",
      "host-5: ssh-root-login: MANUAL",
    ]);
    const message = (name: string, check: string) =>
      outcome.results.find((r) => r.resourceName === name && r.check === check)?.message;
    expect(message("host-1", "ssh-root-login")).toBe(
      "The API did not report osFamily; if this is a Linux system: SSH root login is allowed",
    );
    expect(message("host-2", "ssh-password")).toBe(
      "osFamily is 5 (expected a string); if this is a Linux system: SSH password authentication is allowed",
    );
    expect(message("host-5", "ssh-root-login")).toBe(
      "The API did not report osFamily; The API did not report allowSshRootLogin; check the system's settings in Devices",
    );
  });

  it("an inactive system with an odd `lastContact` is still judged, without the date", () => {
    const outcome = run([
      systemDoc({ active: false, lastContact: 1700000000, allowMultiFactorAuthentication: false }),
    ]);
    expect(outcome.results[0]).toMatchObject({ status: "FAIL", message: "MFA at login is off (inactive)" });
    expect(outcome.evidence?.inactiveSystems).toEqual(["host-1"]);
  });

  it("entries that are not objects are ERROR once; a list that is not one is ERROR for every check", () => {
    expect(rows(run([null, systemDoc()]))).toEqual([
      "systems[0]: mfa: ERROR",
      "host-1: mfa: PASS",
      "host-1: ssh-password: PASS",
      "host-1: ssh-root-login: PASS",
    ]);
    expect(run(["x"]).results[0]?.message).toBe('The system record is "x" (expected an object)');
    const notList = run({ results: [] });
    expect(notList.status).toBe("ERROR");
    expect(notList.results.map((r) => `${r.resourceType}: ${r.check}`)).toEqual([
      "check: mfa",
      "check: ssh-password",
      "check: ssh-root-login",
    ]);
  });

  it("isolation: a check that throws is one ERROR naming it; another check's FAIL stands and the summary is built", () => {
    const throwing = new Proxy(systemDoc({}, 2), {
      get(target, key) {
        if (key === "allowSshRootLogin") throw new Error("getter exploded");
        return Reflect.get(target, key);
      },
    });
    const outcome = run([systemDoc({ allowMultiFactorAuthentication: false }, 1), throwing]);
    expect(outcome.status).toBe("FAIL");
    expect(rows(outcome)).toEqual([
      "host-1: mfa: FAIL",
      "host-2: mfa: PASS",
      "host-1: ssh-password: PASS",
      "host-2: ssh-password: PASS",
      "ssh-root-login: ssh-root-login: ERROR",
    ]);
    expect(outcome.results.at(-1)?.message).toBe(
      'Check "ssh-root-login" could not be evaluated: getter exploded',
    );
    expect(outcome.summary).toMatch(
      /^1 of 2 systems have MFA at login .*; MFA off: host-1; not evaluated: ssh-root-login\.$/,
    );
  });

  it("the planner never plans from a value it could not read, and says which", () => {
    const planned = systemMfa.remediation.plan?.(
      {
        systems: [
          systemDoc({ allowMultiFactorAuthentication: false }, 1),
          systemDoc({ allowMultiFactorAuthentication: undefined }, 2),
          systemDoc({ allowSshRootLogin: "yes" }, 3),
          systemDoc({ osFamily: undefined, allowSshPasswordAuthentication: true }, 4),
          systemDoc({ _id: 7, allowMultiFactorAuthentication: false }, 5),
        ] as unknown as JcSystem[],
      },
      {},
    );
    expect(planned?.actions).toMatchObject([
      {
        kind: "system-flag",
        systemId: hexId(1, "5fc1"),
        flag: "allowMultiFactorAuthentication",
        before: false,
        after: true,
      },
    ]);
    expect(planned?.warnings.at(-1)).toBe(
      'Not planned because the current value could not be read; set by hand in Devices: host-2 allowMultiFactorAuthentication (The API did not report allowMultiFactorAuthentication), host-3 allowSshRootLogin (allowSshRootLogin is "yes" (expected a boolean)), host-4 allowSshPasswordAuthentication (The API did not report osFamily), host-5 (no readable id).',
    );
  });
});
