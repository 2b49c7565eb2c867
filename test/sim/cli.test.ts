/** The simulator's command line (sim/cli.ts), run as a child process. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const children = new Set<ChildProcess>();

afterAll(async () => {
  await Promise.all([...children].map(stop));
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, ["--import", "tsx", "sim/cli.ts", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      children.delete(child);
      resolve(code);
    });
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Stops a child: SIGTERM, then SIGKILL if it is still alive a moment later. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(timer);
}

/** Waits until the child has printed its banner (or exits, which fails the test). */
async function banner(r: Run): Promise<{ url: string; key: string }> {
  const done = r.exited.then((code) => {
    throw new Error(`simulator exited with ${code}: ${r.stderr()}`);
  });
  const printed = new Promise<{ url: string; key: string }>((resolve) => {
    const check = () => {
      const url = /console API\s+(http:\/\/\S+)\/api\s/.exec(r.stdout())?.[1];
      const key = /API key \(simulator only, not a secret\): (\S+)/.exec(r.stdout())?.[1];
      if (url && key) {
        r.child.stdout?.off("data", check);
        resolve({ url, key });
      }
    };
    r.child.stdout?.on("data", check);
    check();
  });
  return Promise.race([printed, done]);
}

describe.concurrent("sim CLI", () => {
  it("serves the compliant preset on the printed URL with the printed key", async () => {
    const r = run(["--scenario", "compliant", "--port", "0"]);
    try {
      const { url, key } = await banner(r);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(r.stdout()).toContain(
        'scenario "compliant" (platform plan), org Acme Secure (5f0000000000000000000001)',
      );
      const res = await fetch(`${url}/api/systemusers?limit=1`, { headers: { "x-api-key": key } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { totalCount: number }).totalCount).toBe(24);
      const denied = await fetch(`${url}/api/systemusers`, { headers: { "x-api-key": "wrong" } });
      expect(denied.status).toBe(401);
    } finally {
      await stop(r.child);
    }
    expect(r.child.exitCode === 0 || r.child.signalCode !== null).toBe(true);
  });

  it("an unknown scenario exits non-zero with a clear message", async () => {
    const r = run(["--scenario", "nope", "--port", "0"]);
    expect(await r.exited).toBe(1);
    expect(r.stderr()).toContain(
      'sim: Unknown scenario "nope": use one of compliant, demo, large, free, core, legacy or a path to a .json file',
    );
    expect(r.stdout()).toBe("");
  });

  it("--port abc exits non-zero naming the option", async () => {
    const r = run(["--port", "abc"]);
    expect(await r.exited).toBe(1);
    expect(r.stderr()).toContain("argument 'abc' is invalid. port must be an integer ≥ 0");
  });
});
