/** The `jc-audit` command line: subcommands, flags, exit codes. */
import { Command, CommanderError, Option } from "commander";
import { EngineError } from "../lambdas/engine/errors.js";
import pkg from "../package.json" with { type: "json" };
import type { DetectFlags } from "./detect-command.js";
import { EXIT, UsageError } from "./errors.js";
import type { RunFlags } from "./options.js";
import type { RemediateFlags } from "./remediate-command.js";
import type { CommandIo } from "./run-command.js";

/** The connection flags of `run`, `remediate` and `detect` (see cli/connection.ts). */
function connectionOptions(command: Command): Command {
  return command
    .option("--region <region>", "JumpCloud region: us, eu or in", "us")
    .option("--base-url <url>", "console API origin (a proxy, or any server that speaks the JumpCloud API)")
    .option("--insights-url <url>", "Directory Insights base URL, including /insights/directory/v1")
    .option(
      "--org-id <id>",
      "organization id (multi-tenant admins); with run, all: every organization the key sees",
    );
}

// Each command's code is imported when that command runs, so `--version` and `--help` load little
// (the compiled CLI is split into chunks along these imports; see scripts/build-cli.ts).

/** Runs the CLI with arguments (without `node` and the script); resolves to the exit code. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command("jc-audit")
    .description("Audit a JumpCloud organization against the JumpCloud hardening guide")
    .version(pkg.version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`jc-audit: ${text.replace(/^error: /, "").trim()}\n`),
    });

  connectionOptions(program.command("run"))
    .description("Collect, audit and write findings (API key from JC_API_KEY)")
    .option("--controls <ids>", "comma-separated control ids, e.g. 1.1,2.1 (default: all)")
    .addOption(new Option("--level <level>", "profile level; cumulative: L2 runs L1 and L2 (default: all)"))
    .option("--out <dir>", "findings folder", "./findings")
    .option("--format <format>", "the run report on stdout: table, json, csv, html or ocsf", "table")
    .option(
      "--output-formats <formats>",
      "also write these formats to --out/reports/report-{runId}.{ext}, e.g. csv,html,ocsf",
    )
    .option("--status <statuses>", "report only results and controls with these statuses, e.g. FAIL,MANUAL")
    .option("--severity <severities>", "report only controls of these severities, e.g. critical,high")
    .option("--compliance <framework>", "report the rollup of one framework: cis, nist or soc2")
    .addHelpText(
      "after",
      "\nFilters (--status, --severity, --compliance) narrow the table, json, csv and ocsf reports only: the\nHTML report, the findings folder and the exit code always cover the whole run.\n",
    )
    .option("--exceptions <file>", "accepted risks (YAML or JSON) that mute matching failures")
    .option("--max-exception-days <days>", "latest expiry accepted for an exception, in days ahead", "365")
    .option("--thresholds <file>", 'threshold overrides (YAML or JSON), e.g. {"1.2": {"maxFullAdmins": 4}}')
    .option(
      "--plan <plan>",
      "the organization's plan (free, core, platform, platform_plus): features it lacks are NOT_APPLICABLE",
    )
    .option("--org-exclude <ids>", "with --org-id all: organizations left out, comma-separated")
    .option("--concurrency <n>", "with --org-id all: organizations audited at once, 1-32 (default: 4)")
    .option("--demo", "run on the built-in simulator's demo organization")
    .option("--all-results", "keep every passing result in findings (default: at most 1000 per control)")
    .action(async (flags: RunFlags) => {
      const [{ parseRunFlags }, { runCommand }] = await Promise.all([
        import("./options.js"),
        import("./run-command.js"),
      ]);
      exitCode = await runCommand(parseRunFlags(flags), io);
    });

  connectionOptions(program.command("remediate"))
    .description(
      "Plan the guide's fixes (default), --apply a plan or --rollback one (write key from JC_API_KEY)",
    )
    .option(
      "--controls <ids>",
      "controls to remediate (default: those with automated remediation; 2.2 and 4.2 only when named)",
    )
    .option("--apply <planId>", "apply a stored plan")
    .option("--rollback <planId>", "restore what an applied plan changed")
    .option("--requested-by <name>", "who asks (default: the login name)")
    .option("--reason <text>", "why, recorded with the plan and sent with the notification")
    .option("--trusted-ranges <cidrs>", "public corporate egress ranges for 3.1's trusted list (no default)")
    .option("--out <dir>", "folder for plans (remediations/{orgId}/{planId}.json)", "./findings")
    .option("--format <format>", "table or json", "table")
    .option(
      "--demo",
      "run on the built-in simulator's demo organization, its state kept in --out/demo-state.json between invocations",
    )
    .action(async (flags: RemediateFlags) => {
      const [{ assertWritableFolder }, { remediateCommand }] = await Promise.all([
        import("./options.js"),
        import("./remediate-command.js"),
      ]);
      assertWritableFolder(flags.out, "--out", ["remediations"]);
      exitCode = await remediateCommand(flags, io);
    });

  connectionOptions(program.command("detect"))
    .description("Run the Sigma detections over recent Directory Insights events (API key from JC_API_KEY)")
    .option("--since <duration>", "how far back: 30m, 24h, 7d (at most 90d)", "24h")
    .option("--rules <dir>", "folder of Sigma rules (default: the bundled detections/)")
    .option("--format <format>", "table or json", "table")
    .option("--demo", "run on the built-in simulator's demo organization")
    .action(async (flags: DetectFlags) => {
      const { detectCommand } = await import("./detect-command.js");
      exitCode = await detectCommand(flags, io);
    });

  program
    .command("controls")
    .description("List the controls of the catalog")
    .action(async () => {
      const { CONTROLS } = await import("../lambdas/controls/registry.js");
      for (const c of CONTROLS) io.stdout.write(`${c.id}  ${c.level}  ${c.severity.padEnd(8)}  ${c.title}\n`);
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
        ? EXIT.ok
        : EXIT.usage;
    }
    if (error instanceof UsageError || error instanceof EngineError) {
      io.stderr.write(`jc-audit: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
