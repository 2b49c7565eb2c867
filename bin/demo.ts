/**
 * `npm run demo`: the whole job on the built-in simulator. Audits the demo organization, applies a
 * drift through the API (an admin's MFA turned off), audits again and shows the regression exactly as
 * it would be alerted. One line per control by default; `--verbose` prints both full reports.
 */

import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import { renderReport } from "../cli/render.js";
import { formatRegressionEmail } from "../lambdas/alerts/email.js";
import type { ControlStatus } from "../lambdas/controls/types.js";
import type { Regression, RunReport } from "../lambdas/engine/findings.js";
import { runAudit } from "../lambdas/engine/run.js";
import { createJumpCloudClient } from "../lambdas/jumpcloud/client.js";
import { listAdmins, updateAdmin } from "../lambdas/jumpcloud/resources.js";
import { STATUS_LABELS, STATUSES } from "../lambdas/reports/filters.js";
import { cap, clean, MAX_LINE } from "../lambdas/shared/output-safety.js";
import { layout } from "../lambdas/store/findings-store.js";
import { localFindingsStore } from "../lambdas/store/local-store.js";
import { startSimulator } from "../sim/index.js";

/** Where the demo writes. */
export interface DemoIo {
  stdout: { write(text: string): unknown };
  /** Colours (on a TTY). */
  color: boolean;
  /** Lines of the compact summary are cut to this many characters. */
  width: number;
}

/** How the demo runs. */
export interface DemoOptions {
  /** Both full reports instead of one line per control. */
  verbose?: boolean;
  /** Told the temporary findings folder as soon as it exists (the script removes it at exit, even on a signal). */
  onTempFolder?: (path: string) => void;
}

/** The demo's temporary findings folders start with this, under the system's temporary folder. */
export const DEMO_FOLDER_PREFIX = "jc-audit-demo-";

const LABEL = STATUS_LABELS;

/** Runs the demo; its temporary findings folder is removed when it ends, whether it succeeded or not. */
export async function runDemo(io: DemoIo, options: DemoOptions = {}): Promise<void> {
  const c = pc.createColors(io.color);
  const print = (text = "") => io.stdout.write(`${text}\n`);
  const out = await mkdtemp(join(tmpdir(), DEMO_FOLDER_PREFIX));
  options.onTempFolder?.(out);
  try {
    const sim = await startSimulator({ scenario: "demo" });
    try {
      const store = localFindingsStore(out);
      const client = () =>
        createJumpCloudClient({ apiKey: sim.apiKey, baseUrl: sim.url, insightsUrl: sim.insightsUrl });
      print(c.bold(`jc-audit demo · the built-in JumpCloud simulator at ${sim.url}, "demo" organization`));
      print(
        c.dim(
          `findings in ${out} (removed at exit)${options.verbose ? "" : " · npm run demo -- --verbose for the full reports"}`,
        ),
      );
      print();

      const first = await runAudit({ client: client(), store });
      if (options.verbose) print(renderReport(first, { color: io.color, width: io.width }));
      else for (const line of summary(first, io.width, c)) print(line);

      const admin = (await collect(listAdmins(client(), ["email", "enableMultiFactor"]))).find(
        (a) => a.email === "bob.admin@example.com",
      );
      if (!admin) throw new Error("demo organization lacks bob.admin@example.com");
      await updateAdmin(client(), admin._id, { enableMultiFactor: false });
      print();
      print(
        `── Drift: ${clean(admin.email)}'s MFA requirement was turned off through the API (PUT /api/users/${clean(admin._id)}). Auditing again…`,
      );
      print();

      const second = await runAudit({ client: client(), store });
      if (options.verbose) print(renderReport(second, { color: io.color, width: io.width }));
      else {
        print(`Second audit: ${counts(second, c)}`);
        print(c.bold(c.red(`Regressions since the first audit (${second.regressions.length}):`)));
        for (const r of second.regressions)
          print(`  ${c.red("▼")} ${clean(r.controlId)} ${fitLine(clean(r.message, MAX_LINE), io.width - 8)}`);
      }

      const byControl = new Map<string, Regression[]>();
      for (const r of second.regressions)
        byControl.set(r.controlId, [...(byControl.get(r.controlId) ?? []), r]);
      for (const [controlId, regressions] of byControl) {
        const finding = second.controls.find((f) => f.controlId === controlId);
        if (!finding) continue;
        // The finding's key as `jc-audit run` and S3 lay it out: the temporary folder is gone at exit.
        const alert = formatRegressionEmail(finding, regressions, layout.latest(second.orgId, controlId));
        print();
        print("── The alert, as e-mailed ─────────────────────────────────────────────");
        print(`Subject: ${alert.subject}`);
        print();
        print(alert.body);
      }
    } finally {
      await sim.close();
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** One line per control (status, id, level, severity, title, the summary's first clause), then the counts. */
function summary(report: RunReport, width: number, c: ReturnType<typeof pc.createColors>): string[] {
  const org = report.organizationName ? clean(report.organizationName) : clean(report.orgId);
  const lines = [`First audit of ${org}: ${counts(report, c)}`];
  for (const f of report.controls) {
    // The summary's first clause carries the observed-versus-expected figure; the rest is in --verbose.
    const gist = clean(f.summary, MAX_LINE).split("; ")[0] ?? "";
    const head = `${LABEL[f.status].padEnd(6)} ${f.controlId} ${f.level} ${f.severity.padEnd(9)}`;
    const line = fitLine(`${head}${f.title}: ${gist}`, width);
    lines.push(`${paint(c, f.status)(line.slice(0, 6))}${line.slice(6)}`);
  }
  return lines;
}

/** Every control status counted, zeros included, so nothing is left out of the total. */
function counts(report: RunReport, c: ReturnType<typeof pc.createColors>): string {
  const parts = STATUSES.map((s) => {
    const n = report.controls.filter((f) => f.status === s).length;
    return n > 0 ? paint(c, s)(`${n} ${s}`) : `${n} ${s}`;
  });
  return `${report.controls.length} controls: ${parts.join(" · ")}`;
}

function paint(c: ReturnType<typeof pc.createColors>, status: ControlStatus): (s: string) => string {
  return {
    PASS: c.green,
    FAIL: c.red,
    MANUAL: c.yellow,
    ERROR: c.magenta,
    NOT_APPLICABLE: c.dim,
    MUTED: c.cyan,
  }[status];
}

/** Cuts a line to the width with an ellipsis, so each control stays on one line of the screen. */
function fitLine(text: string, width: number): string {
  return cap(text, Math.max(width, 60));
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

// Run as a script (npm run demo), not when imported by tests.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== "--verbose");
  if (unknown.length > 0) {
    process.stderr.write(`demo: unknown argument ${clean(unknown[0])}; usage: npm run demo [-- --verbose]\n`);
    process.exit(2);
  }
  // The folder goes at exit whatever ends the process: an error, Ctrl-C, or a reader that went away
  // (npm run demo | head); the runDemo's own clean-up does not run when the process is cut short.
  let folder: string | undefined;
  process.on("exit", () => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });
  process.once("SIGINT", () => process.exit(130));
  process.once("SIGTERM", () => process.exit(143));
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  try {
    await runDemo(
      { stdout: process.stdout, color: process.stdout.isTTY === true, width: process.stdout.columns ?? 120 },
      {
        verbose: args.includes("--verbose"),
        onTempFolder: (path) => {
          folder = path;
        },
      },
    );
  } catch (error) {
    process.stderr.write(`demo: ${clean((error as Error).message, MAX_LINE)}\n`);
    process.exitCode = 1;
  }
}
