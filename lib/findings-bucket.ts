/**
 * The findings bucket: the audit's evidence (findings, their history, run reports, small state), laid
 * out like the CLI's `--out` folder.
 *
 * Encryption is SSE-KMS with a customer managed key, not SSE-S3: findings map the organization's
 * weaknesses (admins without MFA, broad trusted networks), so reading them needs both an S3 grant and a
 * grant on the key, every decryption is a CloudTrail event, and the key policy can be tightened
 * independently of the bucket. An S3 Bucket Key keeps the KMS request cost negligible.
 */
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
/**
 * The tag a writer puts on `findings/{orgId}/{controlId}/history/*.json` objects so they expire after the
 * retention period. S3 lifecycle filters are prefix-based and the history prefix contains the
 * organization and control ids, so history is selected by tag; `latest.json` is never tagged and never
 * expires.
 */
import { HISTORY_TAG } from "../lambdas/store/findings-store.js";
import type { ObjectLockConfig } from "./config.js";
import { rotatingKey } from "./encryption-key.js";

export { HISTORY_TAG };

/** Key prefixes of the bucket and what lives there. */
export const FINDINGS_PREFIXES = {
  /** `findings/{orgId}/{controlId}/latest.json` and `.../history/{timestamp}.json`. */
  findings: "findings/",
  /** `runs/{orgId}/{runId}.json`: run reports. */
  runs: "runs/",
  /** `state/{orgId}/{controlId}/health.json`: error streaks; never expires. */
  state: "state/",
  /** `events/{orgId}/{controlId}/{eventId}.json`: markers of handled scheduled events. */
  events: "events/",
  /** `reports/{orgId}/{date}/…` and `reports/{orgId}/latest.html`: the daily organization reports. */
  reports: "reports/",
  /** `remediations/...`: records of the remediation function. */
  remediations: "remediations/",
} as const;

/** Properties of a FindingsBucket. */
export interface FindingsBucketProps {
  /**
   * Key of the findings (SSE-KMS with an S3 Bucket Key).
   * @default - a new customer managed key with yearly rotation, retained with the bucket
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long history findings (tagged {@link HISTORY_TAG}), run reports and remediation records are kept,
   * and how long an overwritten or deleted version stays recoverable.
   * @default Duration.days(400) - a 12-month audit period and a margin
   */
  readonly retention?: Duration;
  /**
   * How long markers of handled scheduled events are kept (they only stop re-deliveries, which come
   * within hours).
   * @default Duration.days(30)
   */
  readonly eventMarkerRetention?: Duration;
  /**
   * Object Lock default retention, for tamper-evident evidence: each object version cannot be deleted
   * before its retention ends (GOVERNANCE: except by principals allowed to bypass; COMPLIANCE: by nobody,
   * not even the root user). Only settable when the bucket is created.
   * @default - no Object Lock
   */
  readonly objectLock?: ObjectLockConfig;
  /**
   * How long the server access logs of the findings bucket are kept.
   * @default - the same as `retention`
   */
  readonly accessLogsRetention?: Duration;
}

/** A versioned, KMS-encrypted, TLS-only, private bucket for findings, with access logs and retention. */
export class FindingsBucket extends Construct {
  /** The findings bucket. */
  readonly bucket: s3.Bucket;
  /** The key encrypting the findings. */
  readonly encryptionKey: kms.IKey;
  /** The bucket receiving the findings bucket's server access logs. */
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: FindingsBucketProps = {}) {
    super(scope, id);
    const retention = props.retention ?? Duration.days(400);
    this.encryptionKey =
      props.encryptionKey ?? rotatingKey(this, "Key", "Encrypts the JumpCloud audit findings bucket");

    // Server access logging targets only support SSE-S3 default encryption (not SSE-KMS).
    this.accessLogsBucket = new s3.Bucket(this, "AccessLogs", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versioned so a log cannot be overwritten or deleted unnoticed within the day; logs are never
      // rewritten, so the only noncurrent versions are those expiry leaves, gone a day later.
      versioned: true,
      lifecycleRules: [
        {
          id: "access-logs-expiry",
          expiration: props.accessLogsRetention ?? retention,
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: "access-logs-delete-markers", expiredObjectDeleteMarker: true },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const [id, reason] of [
      [
        "AwsSolutions-S1",
        "This bucket is the destination of the findings bucket's server access logs; logging it into itself would loop and another bucket would only move the finding.",
      ],
      [
        "NIST.800.53.R5-S3DefaultEncryptionKMS",
        "S3 server access logging delivers only to a bucket whose default encryption is SSE-S3 (SSE-KMS is not supported for log destinations); the logs hold request metadata, not findings.",
      ],
      [
        "NIST.800.53.R5-S3BucketReplicationEnabled",
        "Access logs of the findings bucket, kept for the retention period in this region; a cross-region copy would need a second bucket, key and replication role in another region, which this single-region stack does not own (add replication or AWS Backup at the account level if required).",
      ],
    ] as const) {
      Validations.of(this.accessLogsBucket).acknowledge({ id, reason });
    }

    const expiring = (id: string, prefix: string, days: Duration): s3.LifecycleRule => ({
      id,
      prefix,
      expiration: days,
    });
    this.bucket = new s3.Bucket(this, "Bucket", {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: "findings-bucket/",
      ...(props.objectLock
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              props.objectLock.mode === "COMPLIANCE"
                ? s3.ObjectLockRetention.compliance(Duration.days(props.objectLock.days))
                : s3.ObjectLockRetention.governance(Duration.days(props.objectLock.days)),
          }
        : {}),
      lifecycleRules: [
        {
          // Prefix AND tag: only history objects; latest.json (untagged) never expires.
          ...expiring("findings-history-expiry", FINDINGS_PREFIXES.findings, retention),
          tagFilters: { [HISTORY_TAG.key]: HISTORY_TAG.value },
        },
        expiring("run-reports-expiry", FINDINGS_PREFIXES.runs, retention),
        expiring("remediation-records-expiry", FINDINGS_PREFIXES.remediations, retention),
        expiring(
          "event-markers-expiry",
          FINDINGS_PREFIXES.events,
          props.eventMarkerRetention ?? Duration.days(30),
        ),
        {
          // Every overwritten (latest.json, state) or expired version stays recoverable for the retention
          // period, so an overwrite cannot silently erase evidence; then it goes.
          id: "noncurrent-versions-expiry",
          noncurrentVersionExpiration: retention,
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: "NIST.800.53.R5-S3BucketReplicationEnabled",
      reason:
        "Findings are re-derived from JumpCloud, the system of record, on every scheduled run; overwrites and deletions are recoverable from versions for the retention period (and blocked by Object Lock when enabled). A cross-region copy would need a second bucket, key and replication role in another region, which this single-region stack does not own (add replication or AWS Backup at the account level if required).",
    });
  }
}
