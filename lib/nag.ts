/**
 * cdk-nag acknowledgements of the wildcards the functions' grants produce. cdk-nag 3 reports each wildcard
 * of a policy as its own finding (`AwsSolutions-IAM5[Resource::<Bucket.Arn>/runs/*]`) and each must be
 * acknowledged by its exact id, with its reason, on the role that holds the policy. The NIST 800-53 R5
 * pack's IAM rules look for admin or full (`service:*`) access, which no role has.
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
  /** The KMS-encrypted bucket granted by key pattern. */
  readonly bucket: s3.IBucket;
  /** The object key patterns granted (e.g. `findings/*\/1.1/*`); those holding `*` are acknowledged. */
  readonly keyPatterns?: readonly string[];
  /** Key prefixes granted whole (e.g. `reports/`), each as `prefix*`. */
  readonly prefixes?: readonly string[];
  /** Whether X-Ray tracing is on (its actions only accept `Resource: *`). */
  readonly tracing: boolean;
}

/** Acknowledges, with reasons, the wildcards of a function role's bucket, topic and tracing grants. */
export function acknowledgeGrantWildcards(role: iam.IRole, granted: GrantWildcards): void {
  const ack = (finding: string, reason: string) =>
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  const patterns = [
    ...(granted.keyPatterns ?? []),
    ...(granted.prefixes ?? []).map((prefix) => `${prefix}*`),
  ];
  for (const pattern of new Set(patterns)) {
    if (!pattern.includes("*")) continue;
    ack(
      `Resource::${nagArn(granted.bucket)}/${pattern}`,
      `Objects ${pattern} of the findings bucket: keys embed the organization id (resolved from the API key at run time), ids and timestamps, so this function's objects can only be named with wildcards; each action is granted singly (GetObject, PutObject), never a family.`,
    );
  }
  ack(
    "Action::kms:GenerateDataKey*",
    "CDK's publish grant on the alerts topic's customer managed key (SNS's documented publisher permissions: kms:GenerateDataKey* and kms:Decrypt); on that key only, used through the topic.",
  );
  if (granted.tracing) {
    ack(
      "Resource::*",
      "X-Ray's PutTraceSegments and PutTelemetryRecords do not support resource-level permissions (added by Lambda's active tracing).",
    );
  }
}
