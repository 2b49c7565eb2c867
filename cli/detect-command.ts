/** `jc-audit detect --since 24h`: the Sigma rules over recent Directory Insights events, printed. */
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import { describeEvent, describeGroup } from "../lambdas/detections/alerts.js";
import { detect, loadRules } from "../lambdas/detections/engine/index.js";
import { readRuleFiles } from "../lambdas/detections/rule-files.js";
import type { DetectionMatch } from "../lambdas/detections/types.js";
import { resolveOrgId } from "../lambdas/engine/run.js";
import { JumpCloudConfigError, JumpCloudError } from "../lambdas/jumpcloud/errors.js";
import { isJumpCloudRegion } from "../lambdas/jumpcloud/regions.js";
import type { InsightsEvent } from "../lambdas/jumpcloud/types.js";
import { clean, MAX_PARAGRAPH, maskSecrets, safeJson } from "../lambdas/shared/output-safety.js";
import { withClient } from "./connection.js";
import { EXIT, UsageError } from "./errors.js";
import type { CommandIo } from "./run-command.js";

/** Raw flags of `jc-audit detect`. */
export interface DetectFlags {
  since: string;
  rules?: string;
  format: string;
  region: string;
  baseUrl?: string;
  insightsUrl?: string;
  orgId?: string;
  demo?: boolean;
}

const DEFAULT_RULES = fileURLToPath(new URL("../detections/", import.meta.url));
const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `30m`, `24h`, `7d` (Directory Insights keeps 90 days). */
export function parseSince(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * (UNITS[match[2] as string] as number) : Number.NaN;
  if (!(ms > 0) || ms > 90 * 86_400_000)
    throw new UsageError(`--since must be a duration like 30m, 24h or 7d, at most 90d; got "${text}"`);
  return ms;
}

/** Runs the rules once; exit 0 without matches, 1 with matches, 2 for bad input, 3 when JumpCloud refuses or an event was not evaluated. */
export async function detectCommand(flags: DetectFlags, io: CommandIo): Promise<number> {
  try {
    const sinceMs = parseSince(flags.since);
    if (!["table", "json"].includes(flags.format))
      throw new UsageError(`--format must be table or json, got "${flags.format}"`);
    if (!isJumpCloudRegion(flags.region))
      throw new UsageError(`--region must be us, eu or in, got "${flags.region}"`);
    if (flags.demo && (flags.baseUrl || flags.insightsUrl || flags.orgId)) {
      throw new UsageError(
        "--demo runs on the built-in simulator: it cannot be combined with --base-url, --insights-url or --org-id",
      );
    }
    let rules: ReturnType<typeof loadRules>;
    try {
      rules = loadRules(readRuleFiles(flags.rules ?? DEFAULT_RULES));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    return await withClient(flags, io.env, "a Read Only admin", async (client) => {
      const orgId = flags.orgId ?? (await resolveOrgId(client));
      const now = new Date();
      const events: InsightsEvent[] = [];
      for await (const event of client.insightsEvents({
        service: ["all"],
        start_time: new Date(now.getTime() - sinceMs).toISOString(),
        end_time: now.toISOString(),
        sort: "ASC",
      })) {
        events.push(event);
      }
      // Events the rules could not evaluate (too deep, over budget) are listed and make the exit 3.
      const { matches, problems } = detect(rules, events);
      if (flags.format === "json") {
        io.stdout.write(
          `${safeJson({ orgId, since: flags.since, events: events.length, rules: rules.length, matches: matches.map(toJson), problems }, 2)}\n`,
        );
      } else
        io.stdout.write(
          `${renderMatches(matches, { orgId, since: flags.since, events: events.length, rules: rules.length }, io.stdout.isTTY === true)}\n${problems.map((p) => `ERROR    ${clean(p.message, MAX_PARAGRAPH)}\n`).join("")}`,
        );
      if (problems.length > 0) return EXIT.error;
      return matches.length > 0 ? EXIT.failed : EXIT.ok;
    });
  } catch (error) {
    if (error instanceof UsageError || error instanceof JumpCloudConfigError) {
      io.stderr.write(`jc-audit: ${clean(error.message, MAX_PARAGRAPH)}\n`);
      return EXIT.usage;
    }
    if (error instanceof JumpCloudError) {
      io.stderr.write(`jc-audit: ${clean(error.message, MAX_PARAGRAPH)}\n`);
      return EXIT.error;
    }
    throw error;
  }
}

/** A match as printed by `--format json`: whole events, with secret-looking values masked (a RADIUS `sharedSecret` change, say). */
function toJson(match: DetectionMatch) {
  return {
    ruleId: match.rule.id,
    title: match.rule.title,
    level: match.rule.level,
    ...(match.group ? { group: match.group } : {}),
    events: match.events.map((event) => maskSecrets(event)),
  };
}

function renderMatches(
  matches: DetectionMatch[],
  run: { orgId: string; since: string; events: number; rules: number },
  color: boolean,
): string {
  const c = pc.createColors(color);
  const lines = [
    c.bold(
      `Detections · organization ${clean(run.orgId)} · last ${clean(run.since)} · ${run.events} events · ${run.rules} rules`,
    ),
    "",
  ];
  const byRule = new Map<string, DetectionMatch[]>();
  for (const m of matches) byRule.set(m.rule.id, [...(byRule.get(m.rule.id) ?? []), m]);
  for (const group of byRule.values()) {
    const rule = group[0]?.rule;
    if (!rule) continue;
    const events = group.flatMap((m) => m.events);
    // Rule files may be anyone's (--rules) and group values are event fields: all of it is cleaned.
    const levelText = clean(rule.level, 16).toUpperCase();
    const level = ["high", "critical"].includes(rule.level) ? c.red(levelText) : c.yellow(levelText);
    const groups = group.filter((m) => m.group).map((m) => describeGroup(m.group ?? {}));
    lines.push(
      `${level.padEnd(8)} ${c.bold(clean(rule.title))} · ${events.length} event(s)${
        groups.length
          ? ` · ${groups.slice(0, 5).join("; ")}${groups.length > 5 ? ` … and ${groups.length - 5} more` : ""}`
          : ""
      }`,
    );
    for (const event of events.slice(0, 5)) lines.push(`         ${describeEvent(event)}`);
    if (events.length > 5) lines.push(c.dim(`         … and ${events.length - 5} more`));
  }
  lines.push("", matches.length === 0 ? "No rule matched." : `${byRule.size} rule(s) matched.`);
  return lines.join("\n");
}
