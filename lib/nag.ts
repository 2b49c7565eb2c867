/**
 * cdk-nag acknowledgements of the wildcards CDK grants produce. cdk-nag 3 reports each wildcard of a
 * policy as its own finding (`AwsSolutions-IAM5[Action::s3:List*]`, `...[Resource::<Bucket.Arn>/runs/*]`)
 * and each must be acknowledged by its exact id, with its reason, on the role that holds the policy.
 */
import { type CfnResource, Stack, Validations } from "aws-cdk-lib";
import type * as iam from "aws-cdk-lib/aws-iam";
import type * as s3 from "aws-cdk-lib/aws-s3";

/** How cdk-nag names a resource's `Fn::GetAtt Arn` inside a finding: `<LogicalId.Arn>`. */
export function nagArn(resource: s3.IBucket): string {
  const cfn = resource.node.defaultChild as CfnResource;
  return `<${Stack.of(resource).resolve(cfn.logicalId)}.Arn>`;
}

/** What was granted to a role, to acknowledge the wildcards it implies. */
export interface GrantWildcards {
  /** The KMS-encrypted bucket granted by prefix. */
  readonly bucket: s3.IBucket;
  /** The key prefixes granted (e.g. `findings/`), each as `prefix*`. */
  readonly prefixes: readonly string[];
  /** Whether X-Ray tracing is on (its actions only accept `Resource: *`). */
  readonly tracing: boolean;
}

/** Acknowledges, with reasons, the wildcards that CDK's bucket, key and topic grants put in a role's policy. */
export function acknowledgeGrantWildcards(role: iam.IRole, granted: GrantWildcards): void {
  const ack = (finding: string, reason: string) =>
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  const s3Actions =
    "CDK's bucket grants (grantRead/grantPut) use these action families; the statement is limited to this function's key prefixes of the findings bucket, and no delete action is granted.";
  for (const action of ["s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:Abort*"])
    ack(`Action::${action}`, s3Actions);
  for (const prefix of granted.prefixes) {
    ack(
      `Resource::${nagArn(granted.bucket)}/${prefix}*`,
      `Objects under ${prefix} of the findings bucket: keys embed the organization, control and timestamp, so the function's objects can only be named by prefix.`,
    );
  }
  const kmsActions =
    "CDK's grants on the findings bucket's and alerts topic's customer managed keys: data-key generation and re-encryption families, on those two keys only (and SNS only through the topic).";
  for (const action of ["kms:GenerateDataKey*", "kms:ReEncrypt*"]) ack(`Action::${action}`, kmsActions);
  if (granted.tracing) {
    ack(
      "Resource::*",
      "X-Ray's PutTraceSegments and PutTelemetryRecords do not support resource-level permissions (added by Lambda's active tracing).",
    );
  }
}
