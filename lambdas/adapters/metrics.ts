/** Run metrics through Powertools Metrics (CloudWatch embedded metric format). */
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { ControlFinding, RunReport } from "../engine/findings.js";
import type { AuditMetrics } from "../service/scheduled-audit.js";

/** Records per-control status, failing resources, API requests, duration and regressions. */
export function powertoolsAuditMetrics(metrics: Metrics): AuditMetrics {
  return {
    record(finding: ControlFinding, api: RunReport["api"], regressions: number) {
      // A single metric is published (and its dimensions dropped) at its first addMetric, so each metric
      // gets its own, or every metric after the first would lose the controlId dimension.
      const emit = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number) => {
        const single = metrics.singleMetric();
        single.addDimension("controlId", finding.controlId);
        single.addMetric(name, unit, value);
      };
      emit("ControlFailed", MetricUnit.Count, finding.status === "FAIL" ? 1 : 0);
      emit("ControlErrored", MetricUnit.Count, finding.status === "ERROR" ? 1 : 0);
      emit("FailingResources", MetricUnit.Count, finding.counts.FAIL);
      emit("Regressions", MetricUnit.Count, regressions);
      emit("ApiRequests", MetricUnit.Count, api.requests);
      emit("AuditDuration", MetricUnit.Milliseconds, finding.durationMs);
    },
  };
}
