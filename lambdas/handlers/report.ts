/** The daily organization report (EventBridge after the audits, on demand, or a fan-out's last step). */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { awsReportDependencies } from "../adapters/aws-report.js";
import { loadReportConfig, reportEventSchema } from "../service/config.js";
import { compactResult, runDailyReport, wantsPortfolio } from "../service/daily-report.js";
import { parseEvent } from "../service/parse-event.js";

const logger = new Logger({ serviceName: "jumpcloud-report" });
const metrics = new Metrics({ namespace: "JumpCloudHardening", serviceName: "jumpcloud-report" });
const deps = awsReportDependencies(loadReportConfig(process.env), logger, metrics);

/** Writes every organization's report for the event's day (`{}`: every organization, now), and the portfolio on request. */
export const handler = async (event: unknown) => {
  const input = parseEvent(reportEventSchema, event);
  if (input.eventId) logger.appendKeys({ eventId: input.eventId });
  // Metrics are single metrics, emitted as each organization is reported, so nothing is left to flush.
  const result = await runDailyReport(deps, input);
  // The fan-out's last step takes counts and keys: 5,000 summaries would pass a state's 256 KiB.
  return wantsPortfolio(input) ? compactResult(result) : result;
};
