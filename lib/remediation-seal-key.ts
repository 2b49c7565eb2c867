/**
 * The KMS HMAC key that seals remediation records (`remediations/{orgId}/{planId}.json`): only the
 * remediation function's role can generate or verify MACs with it, so a record written or edited by
 * anyone else, even with write access to the bucket, is refused.
 */
import { RemovalPolicy } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";

/**
 * What the account may do with the key: administer it, never use it. CDK's default policy gives the
 * account root `kms:*`, which would let any IAM policy in the account generate MACs; `kms:CreateGrant`
 * is left out for the same reason (a grant would hand out use of the key).
 */
export const SEAL_KEY_ADMIN_ACTIONS = [
  "kms:CreateAlias",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
] as const;

/**
 * An HMAC_256 key (GENERATE_VERIFY_MAC) whose key policy lets `user` alone call GenerateMac and
 * VerifyMac with HMAC_SHA_256. Kept when the stack is deleted (RETAIN): retained records stay
 * verifiable. HMAC keys cannot rotate automatically in KMS, so it has no rotation.
 */
export function remediationSealKey(scope: Construct, id: string, user: iam.IRole): kms.Key {
  const key = new kms.Key(scope, id, {
    description: "Seals JumpCloud remediation records; usable only by the remediation function",
    keySpec: kms.KeySpec.HMAC_256,
    keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
    removalPolicy: RemovalPolicy.RETAIN,
    policy: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: "AdministerNotUse",
          principals: [new iam.AccountRootPrincipal()],
          actions: [...SEAL_KEY_ADMIN_ACTIONS],
          resources: ["*"],
        }),
      ],
    }),
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "SealRemediationRecords",
      principals: [user],
      actions: ["kms:GenerateMac", "kms:VerifyMac"],
      resources: ["*"],
      conditions: { StringEquals: { "kms:MacAlgorithm": "HMAC_SHA_256" } },
    }),
  );
  return key;
}
