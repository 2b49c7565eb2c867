import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunReport } from "../../lambdas/engine/findings.js";
import { type RunningSimulator, startSimulator } from "../../sim/index.js";
import { runCli } from "../helpers/cli.js";

let out: string;
let sim: RunningSimulator;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), "jc-exc-"));
  sim = await startSimulator({ scenario: "compliant" });
});
afterEach(async () => {
  await sim.close();
  await rm(out, { recursive: true, force: true });
});

const target = () => ["--base-url", sim.url, "--insights-url", sim.insightsUrl, "--out", out];
const env = () => ({ JC_API_KEY: sim.apiKey });
// The CLI runs on the real clock, so expiries are relative to today.
const daysAhead = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function exceptionsFile(entry: Record<string, unknown>): Promise<string> {
  const file = join(out, "risks.json");
  await writeFile(
    file,
    JSON.stringify({
      exceptions: [
        {
          controlId: "1.1",
          reason: "Break-glass account, token in the safe",
          owner: "ciso@example.com",
          ...entry,
        },
      ],
    }),
  );
  return file;
}

describe("jc-audit run refuses exceptions without guardrails: exit 2, one line, nothing sent", () => {
  it.each([
    [
      "a blanket resource without allResources",
      { resource: "*", expires: daysAhead(30) },
      /mutes every resource/,
    ],
    [
      "an exception for ever",
      { resource: "bob.admin@example.com", expires: "2999-01-01" },
      /expires 2999-01-01, later than/,
    ],
    [
      "an expiry past a lowered limit",
      { resource: "bob.admin@example.com", expires: daysAhead(40) },
      /at most 30 days ahead/,
      ["--max-exception-days", "30"],
    ],
  ])("%s", async (_name, entry, message, extra: string[] = []) => {
    const file = await exceptionsFile(entry);
    const { code, stdout, stderr } = await runCli(
      ["run", "--exceptions", file, ...extra, ...target()],
      env(),
    );
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(sim.requests).toEqual([]);
  });

  it.each(["0", "abc", "3651", "1.5", "-3", ""])("--max-exception-days %j", async (days) => {
    const { code, stderr } = await runCli(["run", "--max-exception-days", days, ...target()], env());
    expect(code).toBe(2);
    expect(stderr).toBe(
      `jc-audit: --max-exception-days must be a whole number of days from 1 to 3650, got "${days}"\n`,
    );
    expect(sim.requests).toEqual([]);
  });
});

describe("jc-audit run with guardrails met", () => {
  it("a raised limit accepts a later expiry, and the report carries the limit", async () => {
    const file = await exceptionsFile({ resource: "bob.admin@example.com", expires: daysAhead(380) });
    const { code, stdout } = await runCli(
      [
        "run",
        "--controls",
        "1.1",
        "--format",
        "json",
        "--exceptions",
        file,
        "--max-exception-days",
        "400",
        ...target(),
      ],
      env(),
    );
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as RunReport).exceptions.maxDays).toBe(400);
  });

  it("a blanket exception said with allResources mutes the control and is shown under it", async () => {
    (sim.scenario.organizations[0]?.admins[1] as Record<string, unknown>).enableMultiFactor = false;
    const expires = daysAhead(30);
    const file = await exceptionsFile({ resource: "*", allResources: true, expires });
    const { code, stdout } = await runCli(
      ["run", "--controls", "1.1", "--exceptions", file, ...target()],
      env(),
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/MUTED\s+1\.1/);
    expect(stdout).toContain(`muted by exception: all resources (ciso@example.com, until ${expires})`);
  });
});
