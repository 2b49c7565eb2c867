/**
 * `jc-audit run --org-id all`: every organization an MSP key sees (minus `--org-exclude`), audited
 * `--concurrency` at a time, each into the findings folder as a single run would; one line per
 * organization as it finishes, then a total. Exit code: the worst of the organizations'.
 */
import { resolve } from "node:path";
import pLimit from "p-limit";
import { EngineError } from "../lambdas/engine/errors.js";
import type { ControlFinding, RunReport } from "../lambdas/engine/findings.js";
import {
  type DiscoveredOrganization,
  DiscoveryError,
  discoverOrganizations,
} from "../lambdas/engine/organizations.js";
import { runAudit } from "../lambdas/engine/run.js";
import { JumpCloudError } from "../lambdas/jumpcloud/errors.js";
import type { RenderContext } from "../lambdas/reports/index.js";
import { clean } from "../lambdas/shared/output-safety.js";
import { localFindingsStore } from "../lambdas/store/local-store.js";
import pkg from "../package.json" with { type: "json" };
import { withClient } from "./connection.js";
import { EXIT } from "./errors.js";
import type { RunOptions } from "./options.js";
import { type CommandIo, exitCodeOf, writeReports } from "./run-command.js";

const KEY_OF = "a Read Only admin of the multi-tenant organization";
const STATUSES: readonly ControlFinding["status"][] = ["PASS", "FAIL", "MANUAL", "ERROR", "NOT_APPLICABLE"];

/** Discovers and audits every organization; returns the worst exit code. */
export async function runAllOrganizations(options: RunOptions, io: CommandIo): Promise<number> {
  const orgs = await withClient(options, io.env, KEY_OF, (client) =>
    discoverOrganizations(client, { exclude: options.orgExclude }),
  );
  if (orgs.length === 0)
    throw new DiscoveryError(
      "NO_ORGANIZATION",
      options.orgExclude.length > 0
        ? "No organization is left to audit once --org-exclude is applied"
        : "The API key sees no organization",
    );
  const out = resolve(options.out);
  const store = localFindingsStore(out);
  const context: RenderContext = { version: pkg.version, filters: options.filters };
  const limit = pLimit(options.concurrency);
  const codes = await Promise.all(
    orgs.map((org) =>
      limit(async () => {
        try {
          const report = await withClient({ ...options, orgId: org.orgId }, io.env, KEY_OF, (client) =>
            runAudit(
              { client, store },
              {
                orgId: org.orgId,
                ...(options.controls ? { controls: options.controls } : {}),
                ...(options.level ? { level: options.level } : {}),
                ...(options.plan ? { plan: options.plan } : {}),
                thresholds: options.thresholds,
                exceptions: options.exceptions,
                maxExceptionDays: options.maxExceptionDays,
                ...(options.allResults ? { maxPassResults: Number.POSITIVE_INFINITY } : {}),
              },
            ),
          );
          if (options.outputFormats.length > 0)
            await writeReports(out, report, options.outputFormats, context);
          const code = exitCodeOf(report);
          io.stdout.write(`${orgLine(org, report, code)}\n`);
          return code;
        } catch (error) {
          // One organization's failure is its line and exit 3; the others are still audited.
          if (!(error instanceof JumpCloudError || error instanceof EngineError)) {
            limit.clearQueue();
            throw error;
          }
          io.stdout.write(`${label(EXIT.error)}${org.orgId}  ${name(org)}${clean(error.message, 300)}\n`);
          return EXIT.error as number;
        }
      }),
    ),
  );
  const count = (code: number) => codes.filter((c) => c === code).length;
  io.stdout.write(
    `${orgs.length} organization${orgs.length === 1 ? "" : "s"}: ${count(EXIT.ok)} PASS · ${count(EXIT.failed)} FAIL · ${count(EXIT.error)} ERROR. Findings written to ${out} (findings/{orgId}/, runs/{orgId}/)\n`,
  );
  return Math.max(...codes);
}

/** `FAIL   5f…a1  Acme  10 controls: 8 PASS · 2 FAIL · 0 MANUAL · 0 ERROR · 0 NOT_APPLICABLE` */
function orgLine(org: DiscoveredOrganization, report: RunReport, code: number): string {
  const counts = STATUSES.map((s) => `${report.controls.filter((c) => c.status === s).length} ${s}`);
  const n = report.controls.length;
  return `${label(code)}${org.orgId}  ${name(org)}${n} control${n === 1 ? "" : "s"}: ${counts.join(" · ")}`;
}

function label(code: number): string {
  return (code === EXIT.error ? "ERROR" : code === EXIT.failed ? "FAIL" : "PASS").padEnd(7);
}

/** The display name came from JumpCloud: one clean, capped line. */
function name(org: DiscoveredOrganization): string {
  return org.name ? `${clean(org.name, 60)}  ` : "";
}
