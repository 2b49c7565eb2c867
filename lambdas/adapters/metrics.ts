/** Run metrics through Powertools Metrics (CloudWatch embedded metric format). */
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { ControlFinding, RunReport } from "../engine/findings.js";
import type { AuditMetrics } from "../service/scheduled-audit.js";

/** Records per-control status, failing resources, API requests, duration and regressions. */
export function powertoolsAuditMetrics(metrics: Metrics): AuditMetrics {
  return {
    record(finding: ControlFinding, api: RunReport["api"], regressions: number) {
      const single = metrics.singleMetric();
      single.addDimension("controlId", finding.controlId);
      single.addMetric("ControlFailed", MetricUnit.Count, finding.status === "FAIL" ? 1 : 0);
      single.addMetric("ControlErrored", MetricUnit.Count, finding.status === "ERROR" ? 1 : 0);
      single.addMetric("FailingResources", MetricUnit.Count, finding.counts.FAIL);
      single.addMetric("Regressions", MetricUnit.Count, regressions);
      single.addMetric("ApiRequests", MetricUnit.Count, api.requests);
      single.addMetric("AuditDuration", MetricUnit.Milliseconds, finding.durationMs);
    },
  };
}
