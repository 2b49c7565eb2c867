/** Security Hub through the AWS SDK: one BatchImportFindings call per batch, and the export metrics. */
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  type SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import type { ExportMetrics, FailedImport, SecurityHubSink } from "../securityhub/importer.js";
import { clean } from "../shared/output-safety.js";

/** Imports findings with `securityhub:BatchImportFindings` (the only action the role is granted). */
export function securityHubSink(client: SecurityHubClient): SecurityHubSink {
  return {
    async importBatch(findings: AwsSecurityFinding[]): Promise<FailedImport[]> {
      const output = await client.send(new BatchImportFindingsCommand({ Findings: findings }));
      const listed = (output.FailedFindings ?? []).map((f) => ({
        id: f.Id ?? "",
        code: clean(f.ErrorCode ?? "UNKNOWN", 64) || "UNKNOWN",
        message: clean(f.ErrorMessage ?? "", 300),
      }));
      // A count with fewer ids than failures cannot say which failed: an entry without an id stands for them.
      if ((output.FailedCount ?? 0) > listed.length)
        listed.push({
          id: "",
          code: "UNLISTED_FAILURE",
          message: `${output.FailedCount} failed, ${listed.length} listed`,
        });
      return listed;
    },
  };
}

/** Counts imported and failed findings per control (CloudWatch EMF), to graph and alarm on. */
export function powertoolsExportMetrics(metrics: Metrics): ExportMetrics {
  return {
    record(controlId, summary) {
      // A single metric is flushed, dimensions and all, by its first addMetric: one per metric.
      const emit = (name: string, value: number) => {
        const single = metrics.singleMetric();
        single.addDimension("controlId", controlId);
        single.addMetric(name, MetricUnit.Count, value);
      };
      emit("SecurityHubImported", summary.imported);
      emit("SecurityHubFailed", summary.failed.length);
      // A failed call or state document, even when no finding is counted as failed.
      emit("SecurityHubExportErrors", summary.error ? 1 : 0);
    },
  };
}
