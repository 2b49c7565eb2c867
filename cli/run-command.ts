/** `jc-audit run`: one audit against a tenant or the built-in simulator; returns the exit code. */
import { resolve } from "node:path";
import type { DatasetName } from "../lambdas/collect/snapshot.js";
import { EngineError } from "../lambdas/engine/errors.js";
import type { RunReport } from "../lambdas/engine/findings.js";
import { runAudit } from "../lambdas/engine/run.js";
import { JumpCloudConfigError, JumpCloudError } from "../lambdas/jumpcloud/errors.js";
import { clean, safeJson } from "../lambdas/shared/output-safety.js";
import { localFindingsStore } from "../lambdas/store/local-store.js";
import { withClient } from "./connection.js";
import { EXIT, UsageError } from "./errors.js";
import { assertWritableFolder, type RunOptions } from "./options.js";
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
    assertWritableFolder(options.out, "--out", ["findings", "runs"]);
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
      // Terminal-safe JSON: names may hold C1 controls or bidi overrides, which JSON.stringify leaves raw.
      if (options.format === "json") io.stdout.write(`${safeJson(report, 2)}\n`);
      else {
        io.stdout.write(
          `${renderReport(report, { color: io.stdout.isTTY === true, width: io.stdout.columns ?? 120 })}\n`,
        );
        io.stdout.write(
          `Findings written to ${resolve(options.out)} (runs/${report.orgId}/${report.runId}.json)\n`,
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
    if (error instanceof JumpCloudError) {
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
