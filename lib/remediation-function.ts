/**
 * The remediation function: applies a control's automated fix when an operator invokes it by hand. It is
 * never scheduled (no rule, no trigger), never retried automatically (a JumpCloud write must not be
 * replayed blindly), and it is the only reader of the write-capable API key.
 */

import type * as kms from "aws-cdk-lib/aws-kms";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { ApiKeySecret } from "./api-key-secret.js";
import { FINDINGS_PREFIXES } from "./findings-bucket.js";
import { grantList, grantObjectDelete, grantObjectRead, grantObjectWrite } from "./grants.js";
import { acknowledgeGrantWildcards } from "./nag.js";
import { remediationSealKey } from "./remediation-seal-key.js";
import { handlerEntry, ServiceFunction, type ServiceFunctionOptions } from "./service-function.js";

/** The remediation handler. */
export const REMEDIATION_HANDLER = "lambdas/handlers/remediate.ts";

/** Properties of a RemediationFunction. */
export interface RemediationFunctionProps {
  /** The findings bucket; the function reads and writes `remediations/` only. */
  readonly findingsBucket: s3.IBucket;
  /** The write-capable API key; this function is its only reader. */
  readonly apiKey: ApiKeySecret;
  /** Topic of remediation reports and of this function's alarms. */
  readonly alertsTopic: sns.ITopic;
  /** Dead-letter queue of a failed asynchronous invocation. */
  readonly deadLetterQueue: sqs.IQueue;
  /** JumpCloud data centre. */
  readonly region: "us" | "eu" | "in";
  /**
   * Organizations of a multi-tenant (MSP) key.
   * @default - the key's own organization
   */
  readonly orgIds?: readonly string[];
  /**
   * Public corporate egress ranges the 3.1 remediation may trust; without them it refuses.
   * @default [] (none: there is no safe default)
   */
  readonly trustedRanges?: readonly string[];
  /** The organization's JumpCloud plan, when declared. @default undefined */
  readonly plan?: string;
  /**
   * Sizing and operational settings.
   * @default - the ServiceFunction defaults (512 MB, 5 minutes, 1 year of logs, concurrency 1)
   */
  readonly functionOptions?: ServiceFunctionOptions;
}

/** The manually invoked remediation function. */
export class RemediationFunction extends Construct {
  /** The function and its role, log group and alarms. */
  readonly service: ServiceFunction;
  /** The HMAC key sealing remediation records; only this function's role may use it. */
  readonly sealKey: kms.Key;

  constructor(scope: Construct, id: string, props: RemediationFunctionProps) {
    super(scope, id);
    this.service = new ServiceFunction(this, "Remediate", {
      ...props.functionOptions,
      entry: handlerEntry(REMEDIATION_HANDLER),
      description:
        "Applies a JumpCloud hardening control's automated remediation; invoked by an operator only",
      label: "remediation",
      serviceName: "jumpcloud-remediation",
      deadLetterQueue: props.deadLetterQueue,
      alarmTopic: props.alertsTopic,
      retryAttempts: 0,
      environment: {
        FINDINGS_BUCKET: props.findingsBucket.bucketName,
        ALERTS_TOPIC_ARN: props.alertsTopic.topicArn,
        API_KEY_SECRET_ARN: props.apiKey.secret.secretArn,
        JC_REGION: props.region,
        JC_ORG_IDS: (props.orgIds ?? []).join(","),
        TRUSTED_RANGES: (props.trustedRanges ?? []).join(","),
        ...(props.plan ? { JC_PLAN: props.plan } : {}),
      },
    });
    const role = this.service.role;
    props.apiKey.grantRead(role);
    this.sealKey = remediationSealKey(this, "SealKey", role);
    this.service.function.addEnvironment("REMEDIATION_SEAL_KEY_ARN", this.sealKey.keyArn);
    // Records, operation markers and the lock of each organization: remediations/{orgId}/…
    const { remediations } = FINDINGS_PREFIXES;
    const objects = [`${remediations}*`];
    grantObjectRead(role, props.findingsBucket, objects);
    grantObjectWrite(role, props.findingsBucket, objects);
    grantList(role, props.findingsBucket, [remediations]);
    // Only the per-organization lock object is ever deleted (released after an apply or rollback).
    const lock = `${remediations}*/lock.json`;
    grantObjectDelete(role, props.findingsBucket, [lock]);
    props.alertsTopic.grantPublish(role);
    acknowledgeGrantWildcards(role, {
      bucket: props.findingsBucket,
      keyPatterns: [...objects, lock],
      tracing: props.functionOptions?.tracing ?? false,
    });
  }
}
