/**
 * The demo report, built the way `npm run demo` builds it: the simulator's demo organization audited
 * in-process, an admin's MFA turned off through the API, then audited again (one regression), this
 * time with an accepted-risk exception (a muted result, so a recovery) and an expired one.
 * Optionally with hostile names planted in the organization first.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunReport } from "../../lambdas/engine/findings.js";
import { runAudit } from "../../lambdas/engine/run.js";
import { listAdmins, updateAdmin } from "../../lambdas/jumpcloud/resources.js";
import { localFindingsStore } from "../../lambdas/store/local-store.js";
import { startSimulator } from "../../sim/index.js";
import type { Doc } from "../../sim/query.js";
import { simClient } from "../helpers/simulator.js";

/** The demo's clock, fixed so the report (and the README's screenshot) is the same on every run. */
export const DEMO_NOW = new Date("2026-11-28T12:00:00.000Z");

/** Names that would run script if a renderer let them through as markup. */
export const HOSTILE_NAMES = {
  script: "<script>alert(1)</script>",
  img: "<img src=x onerror=alert(1)>",
  org: `Globex <script>alert("org")</script> & "Sons" <b>bold</b>`,
} as const;

/** Builds the demo report; with `hostile`, two failing systems and the organization carry hostile names. */
export async function buildDemoReport(options: { hostile?: boolean } = {}): Promise<RunReport> {
  const sim = await startSimulator({ scenario: "demo", now: () => DEMO_NOW });
  const out = await mkdtemp(join(tmpdir(), "jc-html-demo-"));
  try {
    const org = sim.scenario.organizations[0];
    if (!org) throw new Error("the demo preset has no organization");
    if (options.hostile) {
      org.organization.displayName = HOSTILE_NAMES.org;
      const template = org.systems.find((s) => s.osFamily === "darwin");
      if (!template) throw new Error("no macOS system in the demo preset");
      [HOSTILE_NAMES.script, HOSTILE_NAMES.img].forEach((name, i) => {
        org.systems.push({
          ...structuredClone(template),
          _id: `5e${String(i + 1).padStart(22, "0")}`,
          displayName: name,
          hostname: name,
          allowMultiFactorAuthentication: false,
        } as Doc);
      });
    }
    const store = localFindingsStore(out);
    // The audit's clock starts at the simulator's and ticks 400 ms a reading, so runs take some time.
    let tick = 0;
    const clock = () => new Date(DEMO_NOW.getTime() + 400 * tick++);
    const deps = { client: simClient(sim), store, clock };
    await runAudit(deps);
    const bob = (await collect(listAdmins(simClient(sim), ["email"]))).find(
      (a) => a.email === "bob.admin@example.com",
    );
    if (!bob) throw new Error("the demo preset lacks bob.admin@example.com");
    await updateAdmin(simClient(sim), bob._id, { enableMultiFactor: false });
    return await runAudit(deps, {
      exceptions: [
        {
          controlId: "2.2",
          resource: "windows-005",
          check: "mfa",
          reason: "Kiosk without a keyboard; replaced in Q1",
          owner: "it-ops@example.com",
          expires: "2027-03-31",
        },
        {
          controlId: "1.2",
          resource: "full-administrators",
          reason: "Merger transition",
          owner: "ciso@example.com",
          expires: "2026-10-31",
        },
      ],
    });
  } finally {
    await sim.close();
    await rm(out, { recursive: true, force: true });
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
