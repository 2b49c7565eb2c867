/** Customer managed KMS keys: one per kind of data, so each key policy and grant stays narrow. */
import { RemovalPolicy } from "aws-cdk-lib";
import * as kms from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";

/**
 * A symmetric customer managed key with yearly automatic rotation. Kept when the stack is deleted
 * (RETAIN): data it encrypted (retained findings, logs) must stay readable.
 */
export function rotatingKey(scope: Construct, id: string, description: string): kms.Key {
  return new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
