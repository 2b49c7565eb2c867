/** `npm run demo` (bin/demo.ts): one screen plus the alert, everything with --verbose, no folder left behind. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runDemo } from "../../bin/demo.js";

const ALERT = "── The alert, as e-mailed";
const SUBJECT = "Subject: [JumpCloud CRITICAL] 1.1 Secure Admin Portal Access: 1 regression";

/** Runs the demo in-process; returns what it printed and the temporary folder it used. */
async function demo(verbose = false, width = 120) {
  let stdout = "";
  let folder = "";
  await runDemo(
    { stdout: { write: (text: string) => (stdout += text) }, color: false, width },
    { verbose, onTempFolder: (path) => (folder = path) },
  );
  return { stdout, folder };
}

/** The lines printed before the alert: what must fit on one screen. */
const beforeAlert = (stdout: string) => stdout.slice(0, stdout.indexOf(ALERT)).trimEnd().split("\n");

describe("runDemo", () => {
  it("prints one line per control with the counts, the drift, the regression, then the alert, within 40 lines", async () => {
    const { stdout, folder } = await demo();
    expect(stdout).toContain(ALERT);
    expect(stdout).toContain(SUBJECT);
    const screen = beforeAlert(stdout);
    expect(screen.length).toBeLessThanOrEqual(40);
    const controls = screen.filter((line) => /^(PASS|FAIL|MANUAL|ERROR|N\/A|MUTED) +\d\.\d L\d /.test(line));
    expect(controls.map((line) => line.split(/ +/)[1])).toEqual([
      "1.1",
      "1.2",
      "2.1",
      "2.2",
      "3.1",
      "3.2",
      "4.1",
      "4.2",
      "5.1",
      "5.2",
    ]);
    expect(controls[0]).toBe(
      "FAIL   1.1 L1 critical Secure Admin Portal Access: 5 of 6 active admins have MFA required and enrolled (expected all)",
    );
    expect(screen).toContain(
      "First audit of Globex Corporation: 10 controls: 1 PASS · 9 FAIL · 0 MANUAL · 0 ERROR · 0 NOT_APPLICABLE · 0 MUTED",
    );
    expect(screen).toContain("  ▼ 1.1 admin bob.admin@example.com newly fails admin-mfa: MFA not required");
    expect(screen.some((line) => line.startsWith("── Drift: bob.admin@example.com's MFA requirement"))).toBe(
      true,
    );
    // The drift line names an id and is the only one allowed to be long; every other line fits the width.
    expect(screen.filter((line) => !line.startsWith("── Drift") && line.length > 120)).toEqual([]);
    // The alert points at the finding's key, not into the folder removed at exit.
    expect(stdout).toContain("Finding: findings/5f00000000000000000000d1/1.1/latest.json");
    expect(stdout.slice(stdout.indexOf(ALERT))).not.toContain(folder);
    expect(screen[1]).toBe(
      `findings in ${folder} (removed at exit) · npm run demo -- --verbose for the full reports`,
    );
    expect(folder).toContain("jc-audit-demo-");
    expect(existsSync(folder)).toBe(false);
  });

  it("--verbose prints both full reports and the alert", async () => {
    const { stdout, folder } = await demo(true);
    expect(stdout.match(/^JumpCloud hardening audit · Globex Corporation/gm)).toHaveLength(2);
    expect(stdout).toContain("frank.contractor@example.com: MFA not required, no TOTP enrolled");
    expect(stdout).toContain(SUBJECT);
    expect(beforeAlert(stdout).length).toBeGreaterThan(40);
    expect(existsSync(folder)).toBe(false);
  });

  it("removes its folder when it fails", async () => {
    let folder = "";
    const failing = {
      write(text: string) {
        if (text.startsWith("── Drift")) throw new Error("stdout closed");
        return true;
      },
    };
    await expect(
      runDemo({ stdout: failing, color: false, width: 120 }, { onTempFolder: (path) => (folder = path) }),
    ).rejects.toThrow("stdout closed");
    expect(folder).not.toBe("");
    expect(existsSync(folder)).toBe(false);
  });
});

describe("npm run demo as a process", () => {
  let temp: string;
  beforeEach(async () => {
    // The child's own TMPDIR: whatever the demo leaves behind is found here, whatever else runs.
    temp = await mkdtemp(join(tmpdir(), "jc-demo-test-"));
  });
  afterEach(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  // tsx keeps its compile cache in TMPDIR too: only the demo's folders count.
  const leftovers = async () => (await readdir(temp)).filter((name) => name.startsWith("jc-audit-demo-"));

  /** Starts bin/demo.ts the way `npm run demo` does, with TMPDIR pointed at the test's folder. */
  function start(args: string[] = []) {
    const child = spawn(process.execPath, ["--import", "tsx", "bin/demo.ts", ...args], {
      env: { ...process.env, TMPDIR: temp, FORCE_COLOR: undefined },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("close", (code, signal) => resolve({ code, signal })),
    );
    return { child, exit, output: () => ({ stdout, stderr }) };
  }

  it("fits on one screen plus the alert, exits 0 and leaves no folder", { timeout: 60_000 }, async () => {
    const run = start();
    const { code } = await run.exit;
    const { stdout, stderr } = run.output();
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain(SUBJECT);
    expect(beforeAlert(stdout).length).toBeLessThanOrEqual(40);
    expect(await leftovers()).toEqual([]);
  });

  it("leaves no folder when its reader goes away (npm run demo | head)", { timeout: 60_000 }, async () => {
    const run = start();
    // Closed before the demo prints anything: every write it makes fails with EPIPE.
    run.child.stdout.destroy();
    const { code } = await run.exit;
    expect(run.output().stderr).toBe("");
    expect(code).toBe(0);
    expect(await leftovers()).toEqual([]);
  });

  it("leaves no folder when interrupted (Ctrl-C)", { timeout: 60_000 }, async () => {
    const run = start();
    // Interrupted once its folder exists (named on the second line), during the first audit.
    await new Promise<void>((resolve) =>
      run.child.stdout.on("data", () => {
        if (/removed at exit/.test(run.output().stdout)) resolve();
      }),
    );
    expect(await leftovers()).toHaveLength(1);
    run.child.kill("SIGINT");
    const { code } = await run.exit;
    expect(code).toBe(130);
    expect(await leftovers()).toEqual([]);
  });

  it("refuses an unknown argument with one line and exit 2", { timeout: 60_000 }, async () => {
    const run = start(["--bogus"]);
    const { code } = await run.exit;
    expect(code).toBe(2);
    expect(run.output()).toEqual({
      stdout: "",
      stderr: "demo: unknown argument --bogus; usage: npm run demo [-- --verbose]\n",
    });
  });
});
