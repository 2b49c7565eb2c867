/**
 * `npm run demo`: the whole job on the built-in simulator. Audits the demo organization, writes
 * findings, applies a drift through the API (an admin's MFA turned off), audits again and shows the
 * regression exactly as it would be alerted.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderReport } from "../cli/render.js";
import { formatRegressionEmail } from "../lambdas/alerts/email.js";
import { runAudit } from "../lambdas/engine/run.js";
import { createJumpCloudClient } from "../lambdas/jumpcloud/client.js";
import { listAdmins, updateAdmin } from "../lambdas/jumpcloud/resources.js";
import { layout } from "../lambdas/store/findings-store.js";
import { localFindingsStore } from "../lambdas/store/local-store.js";
import { startSimulator } from "../sim/index.js";

const color = process.stdout.isTTY === true;
const width = process.stdout.columns ?? 120;
const sim = await startSimulator({ scenario: "demo" });
try {
  const out = await mkdtemp(join(tmpdir(), "jc-audit-demo-"));
  const store = localFindingsStore(out);
  const client = () =>
    createJumpCloudClient({ apiKey: sim.apiKey, baseUrl: sim.url, insightsUrl: sim.insightsUrl });
  console.log(
    `JumpCloud simulator running at ${sim.url} with the "demo" organization; findings go to ${out}\n`,
  );

  const first = await runAudit({ client: client(), store });
  console.log(renderReport(first, { color, width }));

  const admin = (await collect(listAdmins(client(), ["email", "enableMultiFactor"]))).find(
    (a) => a.email === "bob.admin@example.com",
  );
  if (!admin) throw new Error("demo organization lacks bob.admin@example.com");
  await updateAdmin(client(), admin._id, { enableMultiFactor: false });
  console.log(
    `\n── Drift: ${admin.email}'s MFA requirement was turned off through the API (PUT /api/users/${admin._id}). Auditing again…\n`,
  );

  const second = await runAudit({ client: client(), store });
  console.log(renderReport(second, { color, width }));
  const byControl = new Map<string, typeof second.regressions>();
  for (const r of second.regressions) byControl.set(r.controlId, [...(byControl.get(r.controlId) ?? []), r]);
  for (const [controlId, regressions] of byControl) {
    const finding = second.controls.find((f) => f.controlId === controlId);
    if (!finding) continue;
    const alert = formatRegressionEmail(
      finding,
      regressions,
      join(out, layout.latest(second.orgId, controlId)),
    );
    console.log(
      `\n── The alert, as e-mailed ─────────────────────────────────────────────\nSubject: ${alert.subject}\n\n${alert.body}`,
    );
  }
} finally {
  await sim.close();
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
