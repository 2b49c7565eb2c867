/** `jc-audit run`: one audit against a tenant or the built-in simulator; returns the exit code. */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DatasetName } from "../lambdas/collect/snapshot.js";
import { EngineError } from "../lambdas/engine/errors.js";
import type { RunReport } from "../lambdas/engine/findings.js";
import { DiscoveryError } from "../lambdas/engine/organizations.js";
import { runAudit } from "../lambdas/engine/run.js";
import { JumpCloudConfigError, JumpCloudError } from "../lambdas/jumpcloud/errors.js";
import { REPORT_EXTENSIONS, type RenderContext, renderAs } from "../lambdas/reports/index.js";
import { clean } from "../lambdas/shared/output-safety.js";
import { localFindingsStore } from "../lambdas/store/local-store.js";
import pkg from "../package.json" with { type: "json" };
import { withClient } from "./connection.js";
import { EXIT, UsageError } from "./errors.js";
import { assertWritableFolder, type OutputFormat, type RunOptions } from "./options.js";
import { renderReport } from "./render.js";

/** Where the command writes. */
export interface CommandIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
}

/** Runs an audit with validated options and prints it; returns the exit code. */
export async function runCommand(options: RunOptions, io: CommandIo): Promise<number> {
  try {
    assertWritableFolder(options.out, "--out", [
      "findings",
      "runs",
      ...(options.outputFormats.length > 0 ? ["reports"] : []),
    ]);
    if (options.allOrgs) {
      // Loaded only for --org-id all (p-limit and the discovery stay out of the single-run path).
      const { runAllOrganizations } = await import("./run-all.js");
      return await runAllOrganizations(options, io);
    }
    return await withClient(options, io.env, "a Read Only admin", async (client) => {
      const progress = io.stderr.isTTY ? progressLine(io.stderr) : undefined;
      const report = await runAudit(
        { client, store: localFindingsStore(resolve(options.out)), onProgress: progress?.update },
        {
          ...(options.controls ? { controls: options.controls } : {}),
          ...(options.level ? { level: options.level } : {}),
          ...(options.plan ? { plan: options.plan } : {}),
          thresholds: options.thresholds,
          exceptions: options.exceptions,
          maxExceptionDays: options.maxExceptionDays,
          ...(options.allResults ? { maxPassResults: Number.POSITIVE_INFINITY } : {}),
        },
      );
      progress?.done();
      // Filters shape only what is shown and written here: the findings are stored and the exit code
      // is computed from the whole run.
      const context: RenderContext = { version: pkg.version, filters: options.filters };
      const tty = io.stdout.isTTY === true;
      if (options.format === "table") {
        // Colours and lines cut to the width only on a terminal; a pipe or a file gets every line whole.
        const color = tty && !io.env.NO_COLOR;
        const table = renderReport(report, {
          color,
          width: io.stdout.columns ?? 120,
          truncate: tty,
          filters: options.filters,
        });
        io.stdout.write(`${table}\n`);
        io.stdout.write(
          `Findings written to ${resolve(options.out)} (runs/${report.orgId}/${report.runId}.json)\n`,
        );
      } else io.stdout.write(renderAs(options.format, report, context));
      if (options.outputFormats.length > 0) {
        const written = await writeReports(resolve(options.out), report, options.outputFormats, context);
        // With a machine format on stdout, the paths go to stderr so stdout stays parseable.
        (options.format === "table" ? io.stdout : io.stderr).write(
          `Reports written to ${join(resolve(options.out), "reports")}: ${written.join(", ")}\n`,
        );
      }
      return exitCodeOf(report);
    });
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof EngineError ||
      error instanceof JumpCloudConfigError
    ) {
      io.stderr.write(`jc-audit: ${clean(error.message, 1000)}\n`);
      return EXIT.usage;
    }
    if (error instanceof JumpCloudError || error instanceof DiscoveryError) {
      // A server message may quote attacker-chosen text: one clean line.
      io.stderr.write(`jc-audit: ${clean(error.message, 1000)}\n`);
      return EXIT.error;
    }
    // The folder passed the check above but a write failed later (disk full, a file in the way deeper
    // down): the run was done yet its findings were not all stored, which is not a FAIL (exit 1).
    if (isFileSystemError(error)) {
      io.stderr.write(
        `jc-audit: cannot use the findings folder ${resolve(options.out)}: ${error.code} (${error.path ?? "unknown path"})\n`,
      );
      return EXIT.error;
    }
    throw error;
  }
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  const e = error as NodeJS.ErrnoException;
  return error instanceof Error && typeof e.code === "string" && typeof e.syscall === "string";
}

/**
 * Writes `reports/report-{runId}.{ext}` under the output folder for each format (the table without
 * colours, lines whole); returns the file names. Each file is written then renamed, so a reader never
 * sees half a report.
 */
export async function writeReports(
  out: string,
  report: RunReport,
  formats: readonly OutputFormat[],
  context: RenderContext,
): Promise<string[]> {
  const folder = join(out, "reports");
  await mkdir(folder, { recursive: true });
  const names: string[] = [];
  for (const format of formats) {
    const text =
      format === "table"
        ? `${renderReport(report, { color: false, truncate: false, ...(context.filters ? { filters: context.filters } : {}) })}\n`
        : renderAs(format, report, context);
    const name = `report-${report.runId}.${format === "table" ? "txt" : REPORT_EXTENSIONS[format]}`;
    await writeFile(join(folder, `${name}.tmp`), text);
    await rename(join(folder, `${name}.tmp`), join(folder, name));
    names.push(name);
  }
  return names;
}

/** 3 when any control is ERROR (results can't be trusted), else 1 when any FAILs, else 0. */
export function exitCodeOf(report: RunReport): number {
  if (report.controls.some((f) => f.status === "ERROR")) return EXIT.error;
  if (report.controls.some((f) => f.status === "FAIL")) return EXIT.failed;
  return EXIT.ok;
}

/** One self-rewriting line on stderr: "Collecting users… 12,000". */
function progressLine(stream: NodeJS.WritableStream) {
  const counts = new Map<DatasetName, number>();
  let last = 0;
  return {
    update: (dataset: DatasetName, items: number) => {
      counts.set(dataset, items);
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const text = [...counts].map(([d, n]) => `${d} ${n.toLocaleString("en-US")}`).join(" · ");
      stream.write(`\r\x1b[2KCollecting: ${text}`);
    },
    done: () => stream.write("\r\x1b[2K"),
  };
}
