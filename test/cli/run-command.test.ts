import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunReport } from "../../lambdas/engine/findings.js";
import { type RunningSimulator, startSimulator } from "../../sim/index.js";
import { runCli } from "../helpers/cli.js";
import { findingSchemaErrors } from "../helpers/schema.js";

/** A reverse proxy on loopback that serves `target` under a path prefix, recording the paths it saw. */
async function startPrefixProxy(prefix: string, target: string) {
  const paths: string[] = [];
  const server = createServer(async (req, res) => {
    paths.push((req.url ?? "").split("?")[0] ?? "");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(target + (req.url ?? "").slice(prefix.length), {
      method: req.method,
      headers: Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => k !== "host" && k !== "content-length"),
      ) as Record<string, string>,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let out: string;
let sim: RunningSimulator;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), "jc-cli-"));
  sim = await startSimulator({ scenario: "compliant" });
});
afterEach(async () => {
  await sim.close();
  await rm(out, { recursive: true, force: true });
});

const target = () => ["--base-url", sim.url, "--insights-url", sim.insightsUrl, "--out", out];
const env = () => ({ JC_API_KEY: sim.apiKey });

describe("jc-audit run against any server that speaks the JumpCloud API", () => {
  it("exit 0 and a table when nothing fails", async () => {
    const { code, stdout, stderr } = await runCli(["run", "--controls", "1.1", ...target()], env());
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^PASS {3}1\.1 L1 critical Secure Admin Portal Access$/m);
    expect(stdout).toContain(
      "\n1 control: 1 PASS · 0 FAIL · 0 MANUAL · 0 ERROR · 0 NOT_APPLICABLE · 0 MUTED\n",
    );
    expect(stdout).not.toContain("\u001b["); // no colours when not on a TTY
  });

  it("exit 1 when a control fails, naming the failing resource", async () => {
    (sim.scenario.organizations[0]?.admins[1] as Record<string, unknown>).enableMultiFactor = false;
    const { code, stdout } = await runCli(["run", "--controls", "1.1", ...target()], env());
    expect(code).toBe(1);
    expect(stdout).toMatch(/✗ bob\.admin@example\.com: MFA not required/);
  });

  it("exit 3 when a control cannot be evaluated", async () => {
    sim.faults.add({ kind: "status", status: 403, path: "/api/users" });
    const { code, stdout } = await runCli(["run", "--controls", "1.1", ...target()], env());
    expect(code).toBe(3);
    expect(stdout).toMatch(/ERROR\s+1\.1/);
  });

  it("exit 3 with one line when the key is rejected", async () => {
    const { code, stdout, stderr } = await runCli(["run", "--controls", "1.1", ...target()], {
      JC_API_KEY: "revoked-key-0000000000",
    });
    expect(code).toBe(3);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "jc-audit: API key rejected; rotate the secret: Unauthorized (GET /api/organizations → 401)\n",
    );
    expect(stderr).not.toContain("revoked-key");
  });

  it("--format json prints the run report, valid against docs/finding.schema.json, and writes the S3 layout", async () => {
    const { code, stdout } = await runCli(
      ["run", "--controls", "1.1", "--format", "json", ...target()],
      env(),
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as RunReport;
    expect(findingSchemaErrors(report)).toEqual([]);
    expect(report.controls.map((c) => c.controlId)).toEqual(["1.1"]);
    const orgDir = join(out, "findings", report.orgId, "1.1");
    expect(await readdir(orgDir)).toEqual(["history", "last-evaluated.json", "latest.json"]);
    expect(findingSchemaErrors(JSON.parse(await readFile(join(orgDir, "latest.json"), "utf8")))).toEqual([]);
    expect(
      JSON.parse(await readFile(join(out, "runs", report.orgId, `${report.runId}.json`), "utf8")).runId,
    ).toBe(report.runId);
  });

  it("reports a regression on the second run", async () => {
    await runCli(["run", "--controls", "1.1", ...target()], env());
    (sim.scenario.organizations[0]?.admins[1] as Record<string, unknown>).totpEnrolled = false;
    const { stdout } = await runCli(["run", "--controls", "1.1", ...target()], env());
    expect(stdout).toMatch(/Regressions since the last run \(2\)/);
    expect(stdout).toMatch(/bob\.admin@example\.com newly fails admin-mfa: no TOTP enrolled/);
  });

  it("--exceptions mutes an accepted failure (exit 0) and reports expired ones", async () => {
    (sim.scenario.organizations[0]?.admins[1] as Record<string, unknown>).enableMultiFactor = false;
    const file = join(out, "risks.yaml");
    // Within the default limit of a year ahead (a later expiry is refused).
    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await writeFile(
      file,
      `exceptions:\n  - controlId: "1.1"\n    resource: bob.admin@example.com\n    reason: Break-glass account, hardware token in the safe\n    owner: ciso@example.com\n    expires: "${expires}"\n  - controlId: "2.1"\n    resource: "svc.*"\n    reason: Old exception that has lapsed\n    owner: it@example.com\n    expires: "2020-01-01"\n`,
    );
    const { code, stdout } = await runCli(
      ["run", "--controls", "1.1", "--exceptions", file, ...target()],
      env(),
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/MUTED\s+1\.1/);
    expect(stdout).toMatch(/Expired exceptions no longer mute anything \(1\)/);
  });

  it("keeps at most 1000 passing results per control unless --all-results", async () => {
    const org = sim.scenario.organizations[0];
    const template = org?.admins[3] as Record<string, unknown>;
    for (let i = 0; i < 1100; i++)
      org?.admins.push({
        ...template,
        _id: (0x5fc00000 + i).toString(16).padEnd(24, "0"),
        email: `ro${i}@example.com`,
      });
    const trimmed = JSON.parse(
      (await runCli(["run", "--controls", "1.1", "--format", "json", ...target()], env())).stdout,
    ) as RunReport;
    expect(trimmed.controls[0]?.results).toHaveLength(1000);
    expect(trimmed.controls[0]?.omitted).toEqual({ PASS: 105 });
    expect(trimmed.controls[0]?.counts.PASS).toBe(1105);
    const all = JSON.parse(
      (await runCli(["run", "--controls", "1.1", "--format", "json", "--all-results", ...target()], env()))
        .stdout,
    ) as RunReport;
    expect(all.controls[0]?.results).toHaveLength(1105);
    expect(all.controls[0]?.omitted).toBeUndefined();
  });

  it("--demo needs no key and no server, and prints no secret", async () => {
    const { code, stdout, stderr } = await runCli(["run", "--demo", "--out", out], {});
    expect(code).toBe(1);
    expect(stdout).toMatch(/Globex Corporation/);
    expect(stdout).toMatch(/10 controls: 1 PASS · 9 FAIL · 0 MANUAL · 0 ERROR · 0 NOT_APPLICABLE · 0 MUTED/);
    const written = await readFile(
      join(out, "findings", "5f00000000000000000000d1", "4.2", "latest.json"),
      "utf8",
    );
    for (const text of [stdout, stderr, written]) {
      expect(text).not.toContain("vpn2024!");
      expect(text).not.toContain("k7#Qv9!mZ2pL8xR4wT6yB1nC3sD5fG0h");
      expect(text).not.toContain("sim-api-key-0123456789abcdef");
    }
  });

  it("works through a proxy whose base URL has a path prefix", async () => {
    const proxy = await startPrefixProxy("/jumpcloud", sim.url);
    try {
      const base = `${proxy.url}/jumpcloud`;
      const { code, stdout } = await runCli(
        [
          "run",
          "--controls",
          "1.1,5.1",
          "--base-url",
          base,
          "--insights-url",
          `${base}/insights/directory/v1`,
          "--out",
          out,
        ],
        env(),
      );
      expect(code).toBe(0);
      expect(stdout).toMatch(/2 controls: 2 PASS/);
      expect(proxy.paths).toContain("/jumpcloud/api/users");
      expect(proxy.paths).toContain("/jumpcloud/insights/directory/v1/events/count");
    } finally {
      await proxy.close();
    }
  });
});

describe("bad input: one clear line, exit 2, nothing sent", () => {
  it.each([
    [["run", "--controls", "9.9"], /^jc-audit: --controls: unknown control 9\.9/],
    [["run", "--controls", ""], /^jc-audit: --controls needs at least one control id/],
    [["run", "--level", "L4"], /^jc-audit: --level must be L1, L2 or L3, got "L4"/],
    [["run", "--region", "apac"], /^jc-audit: --region must be us, eu or in/],
    [
      ["run", "--format", "xml"],
      /^jc-audit: --format must be one of table, json, csv, html, ocsf, got "xml"/,
    ],
    [["run", "--plan", "gold"], /^jc-audit: --plan must be one of free, core, platform, platform_plus/],
    [["run", "--org-id", "acme"], /^jc-audit: --org-id must be 24 hexadecimal characters/],
    [["run", "--base-url", "not a url"], /^jc-audit: --base-url must be a URL/],
    [
      ["run", "--demo", "--base-url", "http://127.0.0.1:1"],
      /^jc-audit: --demo runs on the built-in simulator/,
    ],
    [
      ["run", "--exceptions", "/nonexistent/risks.yaml"],
      /^jc-audit: --exceptions: cannot read \/nonexistent\/risks\.yaml \(ENOENT\)/,
    ],
    [["run", "--api-key", "secret"], /^jc-audit: unknown option '--api-key'/],
    [["launch"], /^jc-audit: unknown command 'launch'/],
  ])("%j", async (args, message) => {
    const { code, stdout, stderr } = await runCli(args, { JC_API_KEY: sim.apiKey });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(sim.requests).toEqual([]);
  });

  it("a missing key", async () => {
    const { code, stderr } = await runCli(["run", ...target()], {});
    expect(code).toBe(2);
    expect(stderr).toBe(
      "jc-audit: JC_API_KEY is not set: export the API key of a Read Only admin (it is never taken as a flag)\n",
    );
  });

  it("an invalid thresholds file and an unknown threshold", async () => {
    const file = join(out, "t.yaml");
    await writeFile(file, '{"1.1": {"maxAdmins": 3}}');
    const unknown = await runCli(["run", "--controls", "1.1", "--thresholds", file, ...target()], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('jc-audit: Control 1.1 has no threshold "maxAdmins" (it has none)\n');
    await writeFile(file, '{"x": {"a": 1}}');
    const unknownControl = await runCli(["run", "--thresholds", file, ...target()], env());
    expect(unknownControl.stderr).toMatch(
      /^jc-audit: .*t\.yaml: unknown control x \(keys are control ids like 1\.2\)\n$/,
    );
    await writeFile(file, '{"1.2": 4}');
    const malformed = await runCli(["run", "--thresholds", file, ...target()], env());
    expect(malformed.stderr).toMatch(/^jc-audit: .*t\.yaml: 1\.2: .*record/i);
    expect(sim.requests).toEqual([]);
  });
});
