/** Builds the daily report's dependencies from the findings bucket (S3), the alerts topic (SNS) and Powertools. */
import type { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import pkg from "../../package.json" with { type: "json" };
import type { ReportConfig } from "../service/config.js";
import {
  type DailyReportDependencies,
  type LatestFindingsReader,
  type ReportMetrics,
  type ReportObjects,
  reportSettings,
} from "../service/daily-report.js";
import type { LatestObject } from "../service/daily-report-findings.js";
import { layout } from "../store/findings-store.js";
import { fromPowertools } from "./logger.js";
import { isMissingObject } from "./s3-store.js";
import { snsNotifier } from "./sns-notifier.js";

/** The most bytes of a `latest.json` read (findings keep every failing result; 16 MiB is far above them). */
export const FINDING_LIMIT = 16 * 1_048_576;

/** AWS clients, injectable for tests. */
export interface ReportClients {
  s3?: S3Client;
  sns?: SNSClient;
}

/** The daily report's dependencies in AWS. */
export function awsReportDependencies(
  config: ReportConfig,
  logger: PowertoolsLogger,
  metrics: Metrics,
  clients: ReportClients = {},
): DailyReportDependencies {
  const bucket = s3ReportBucket(clients.s3 ?? new S3Client({}), config.FINDINGS_BUCKET);
  const region = config.AWS_REGION ?? "us-east-1";
  return {
    findings: bucket,
    objects: bucket,
    notifier: snsNotifier(clients.sns ?? new SNSClient({}), config.ALERTS_TOPIC_ARN),
    logger: fromPowertools(logger),
    metrics: powertoolsReportMetrics(metrics),
    locate: (key) => ({
      uri: `s3://${config.FINDINGS_BUCKET}/${key}`,
      consoleUrl: `https://${region}.console.aws.amazon.com/s3/object/${config.FINDINGS_BUCKET}?region=${region}&prefix=${encodeURIComponent(key)}`,
    }),
    settings: reportSettings(config, pkg.version),
  };
}

/** The findings and report objects of one bucket; reads only the keys the report names. */
export function s3ReportBucket(s3: S3Client, bucket: string): LatestFindingsReader & ReportObjects {
  /** Whether a key exists, by listing it (the role may list `findings/` and `reports/`). */
  const read = async (key: string, limit: number): Promise<LatestObject> => {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (object.ContentLength !== undefined && object.ContentLength > limit) {
        (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
        return { kind: "too-large", bytes: object.ContentLength, limit };
      }
      const text = (await object.Body?.transformToString()) ?? "";
      const bytes = Buffer.byteLength(text);
      return bytes > limit ? { kind: "too-large", bytes, limit } : { kind: "text", text };
    } catch (error) {
      if (await isMissingObject(error, s3, bucket, key)) return { kind: "absent" };
      throw error;
    }
  };
  return {
    async organizations() {
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: "findings/",
            Delimiter: "/",
            ContinuationToken: token,
          }),
        );
        for (const p of page.CommonPrefixes ?? []) {
          const id = /^findings\/([0-9a-f]{24})\/$/i.exec(p.Prefix ?? "")?.[1];
          if (id) ids.push(id);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return ids;
    },
    latest: (orgId, controlId) => read(layout.latest(orgId, controlId), FINDING_LIMIT),
    read,
    async write(key, body, contentType) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
  };
}

/**
 * Per organization (no organization dimension: their sums and maxima over a period are the portfolio's):
 * `ReportControlsFailed`, `ReportControlsErrored`, `ReportControlsStale`, `ReportControlsMissing`; per run:
 * `ReportOrganizations` and `ReportOrganizationsFailed`.
 */
export function powertoolsReportMetrics(metrics: Metrics): ReportMetrics {
  return {
    record(summary) {
      const single = metrics.singleMetric();
      single.addMetric("ReportControlsFailed", MetricUnit.Count, summary.counts.FAIL);
      single.addMetric("ReportControlsErrored", MetricUnit.Count, summary.counts.ERROR);
      single.addMetric("ReportControlsStale", MetricUnit.Count, summary.problems.stale);
      single.addMetric("ReportControlsMissing", MetricUnit.Count, summary.problems.missing);
    },
    recordRun(reported, failed) {
      const single = metrics.singleMetric();
      single.addMetric("ReportOrganizations", MetricUnit.Count, reported);
      single.addMetric("ReportOrganizationsFailed", MetricUnit.Count, failed);
    },
  };
}
