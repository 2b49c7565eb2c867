import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../../sim/index.js";
import { runCli } from "../helpers/cli.js";

let dir: string;
let sim: RunningSimulator;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "jc-out-"));
  sim = await startSimulator({ scenario: "compliant" });
});
afterEach(async () => {
  await sim.close();
  await chmod(dir, 0o700);
  await rm(dir, { recursive: true, force: true });
});

const connect = () => ["--base-url", sim.url, "--insights-url", sim.insightsUrl];
const env = () => ({ JC_API_KEY: sim.apiKey });
const ORG_ID = "5f0000000000000000000001";

/** A regular file where a folder is expected. */
async function fileAt(path: string): Promise<string> {
  await writeFile(path, "not a folder\n");
  return path;
}

/** Asserts one line on stderr, exit 2, nothing printed or sent, and returns that line. */
async function refused(
  args: string[],
  environment: Record<string, string | undefined> = env(),
): Promise<string> {
  const { code, stdout, stderr } = await runCli(args, environment);
  expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
  expect(stderr.endsWith("\n") && stderr.trim().split("\n").length === 1).toBe(true);
  expect(stderr).not.toMatch(/\s+at\s/); // no stack trace
  expect(sim.requests).toEqual([]);
  return stderr;
}

const commands: [string, string[]][] = [
  ["run", ["run"]],
  ["remediate (plan)", ["remediate", "--controls", "1.1"]],
  ["remediate --apply", ["remediate", "--apply", "20261128T120000Z-abc123"]],
  ["remediate --rollback", ["remediate", "--rollback", "20261128T120000Z-abc123"]],
];

describe("an unwritable --out: exit 2, one line naming the folder, nothing sent to JumpCloud", () => {
  describe.each(commands)("%s", (_name, command) => {
    it("--out is a file", async () => {
      const out = await fileAt(join(dir, "findings"));
      expect(await refused([...command, ...connect(), "--out", out])).toBe(
        `jc-audit: --out ${out} is not a writable folder: it is a file\n`,
      );
      expect(await readFile(out, "utf8")).toBe("not a folder\n");
    });

    it("a file is in the way further up", async () => {
      const file = await fileAt(join(dir, "data"));
      const out = join(file, "audits", "findings");
      expect(await refused([...command, ...connect(), "--out", out])).toBe(
        `jc-audit: --out ${out} is not a writable folder: ${file} is a file\n`,
      );
    });

    it("the folder cannot be written", async () => {
      // Root ignores permission bits, so as root a read-only system folder stands in for chmod.
      const readOnly = process.getuid?.() === 0 ? "/sys" : dir;
      if (readOnly === dir) await chmod(dir, 0o500);
      const out = join(readOnly, "jc-audit-findings");
      expect(await refused([...command, ...connect(), "--out", out])).toMatch(
        new RegExp(`^jc-audit: --out ${out} is not writable \\(${readOnly}\\): E[A-Z]+\\n$`),
      );
    });
  });

  it("run: a file where the findings or runs folder goes", async () => {
    for (const sub of ["findings", "runs"]) {
      const out = join(dir, sub === "findings" ? "a" : "b");
      await mkdir(out);
      await fileAt(join(out, sub));
      expect(await refused(["run", ...connect(), "--out", out])).toBe(
        `jc-audit: --out ${out} is not a writable folder: ${join(out, sub)} is a file\n`,
      );
    }
  });

  it("remediate: a file where the remediations folder goes", async () => {
    await fileAt(join(dir, "remediations"));
    expect(await refused(["remediate", ...connect(), "--out", dir])).toBe(
      `jc-audit: --out ${dir} is not a writable folder: ${join(dir, "remediations")} is a file\n`,
    );
  });

  it("--demo: refused before the demo organization is even started", async () => {
    const out = await fileAt(join(dir, "findings"));
    expect(await refused(["run", "--demo", "--out", out], {})).toBe(
      `jc-audit: --out ${out} is not a writable folder: it is a file\n`,
    );
  });
});

describe("the check changes nothing", () => {
  it("a folder that does not exist yet is not created by the check, and no probe file is left", async () => {
    const out = join(dir, "new", "findings");
    const { code } = await runCli(["run", ...connect(), "--out", out], {});
    expect(code).toBe(2); // no key: stopped after the folder check
    expect(await readdir(dir)).toEqual([]);
  });

  it("a writable new folder is created by the run itself, without leftovers", async () => {
    const out = join(dir, "new", "findings");
    const { code } = await runCli(["run", "--controls", "1.1", ...connect(), "--out", out], env());
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(["findings", "runs"]);
    expect(await readdir(dir)).toEqual(["new"]); // the probe went where the folder did not exist yet
  });
});

describe("a write that fails after the check", () => {
  it("is one line naming the folder, exit 3 (not 1, which means a control FAILs)", async () => {
    await mkdir(join(dir, "findings"));
    await fileAt(join(dir, "findings", ORG_ID));
    const { code, stdout, stderr } = await runCli(
      ["run", "--controls", "1.1", ...connect(), "--out", dir],
      env(),
    );
    expect(code).toBe(3);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      new RegExp(
        `^jc-audit: cannot use the findings folder ${dir}: E[A-Z]+ \\(${dir}/findings/${ORG_ID}[^)]*\\)\\n$`,
      ),
    );
  });
});
