/** The least-privilege grant helpers, on a bare stack: each grants exactly its actions on exactly its resources. */
import { App, type CfnResource, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as s3 from "aws-cdk-lib/aws-s3";
import { describe, expect, it } from "vitest";
import {
  grantList,
  grantObjectDelete,
  grantObjectRead,
  grantObjectWrite,
  grantSecurityHubImport,
  securityHubProductArn,
} from "../../lib/grants.js";

/** A stack with a role, and a bucket encrypted with a customer managed key unless `encrypted` is false. */
function fixture(encrypted = true) {
  const stack = new Stack(new App(), "Grants");
  const role = new iam.Role(stack, "Role", { assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") });
  const bucket = new s3.Bucket(stack, "Bucket", {
    ...(encrypted
      ? { encryption: s3.BucketEncryption.KMS, encryptionKey: new kms.Key(stack, "Key") }
      : { encryption: s3.BucketEncryption.S3_MANAGED }),
  });
  const statements = () => {
    const policies = Template.fromStack(stack).findResources("AWS::IAM::Policy");
    return Object.values(policies).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument
          .Statement,
    );
  };
  const id = (construct: s3.Bucket | kms.IKey) =>
    stack.resolve((construct.node.defaultChild as CfnResource).logicalId);
  return { stack, role, bucket, statements, id };
}

const objects = (bucketId: string, key: string) => ({
  "Fn::Join": ["", [{ "Fn::GetAtt": [bucketId, "Arn"] }, `/${key}`]],
});

describe("grantObjectRead", () => {
  it("allows s3:GetObject on the patterns and kms:Decrypt on the bucket's key, nothing else", () => {
    const { role, bucket, statements, id } = fixture();
    grantObjectRead(role, bucket, ["findings/*/1.1/*", "state/*/1.1/*"]);
    expect(statements()).toEqual([
      {
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: [objects(id(bucket), "findings/*/1.1/*"), objects(id(bucket), "state/*/1.1/*")],
      },
      {
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: { "Fn::GetAtt": [id(bucket.encryptionKey as kms.IKey), "Arn"] },
      },
    ]);
  });

  it("grants no KMS action when the bucket has no customer managed key", () => {
    const { role, bucket, statements } = fixture(false);
    grantObjectRead(role, bucket, ["reports/*"]);
    expect(statements().map((s) => (s as { Action: string }).Action)).toEqual(["s3:GetObject"]);
  });

  it("refuses an empty list of patterns", () => {
    const { role, bucket } = fixture();
    expect(() => grantObjectRead(role, bucket, [])).toThrow("grantObjectRead: no key pattern given");
  });
});

describe("grantObjectWrite", () => {
  it("allows s3:PutObject and kms:GenerateDataKey only (no Encrypt, ReEncrypt, legal hold or retention)", () => {
    const { role, bucket, statements, id } = fixture();
    grantObjectWrite(role, bucket, ["runs/*"]);
    expect(statements()).toEqual([
      { Effect: "Allow", Action: "s3:PutObject", Resource: objects(id(bucket), "runs/*") },
      {
        Effect: "Allow",
        Action: "kms:GenerateDataKey",
        Resource: { "Fn::GetAtt": [id(bucket.encryptionKey as kms.IKey), "Arn"] },
      },
    ]);
  });

  it("adds s3:PutObjectTagging when the writes are tagged", () => {
    const { role, bucket, statements } = fixture();
    grantObjectWrite(role, bucket, ["findings/*/1.1/*"], { tagging: true });
    expect((statements()[0] as { Action: string[] }).Action).toEqual(["s3:PutObject", "s3:PutObjectTagging"]);
  });

  it("refuses an empty list of patterns", () => {
    const { role, bucket } = fixture();
    expect(() => grantObjectWrite(role, bucket, [])).toThrow("grantObjectWrite: no key pattern given");
  });
});

describe("grantObjectDelete", () => {
  it("allows s3:DeleteObject alone (never a version delete) on the patterns", () => {
    const { role, bucket, statements, id } = fixture();
    grantObjectDelete(role, bucket, ["remediations/*/lock.json"]);
    expect(statements()).toEqual([
      {
        Effect: "Allow",
        Action: "s3:DeleteObject",
        Resource: objects(id(bucket), "remediations/*/lock.json"),
      },
    ]);
  });
});

describe("grantList", () => {
  it("allows s3:ListBucket on the bucket under the prefixes only, each also with anything after it", () => {
    const { role, bucket, statements, id } = fixture();
    grantList(role, bucket, ["findings/*/1.1/", "state/*/1.1/"]);
    expect(statements()).toEqual([
      {
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: { "Fn::GetAtt": [id(bucket), "Arn"] },
        Condition: {
          StringLike: {
            "s3:prefix": ["findings/*/1.1/", "findings/*/1.1/*", "state/*/1.1/", "state/*/1.1/*"],
          },
        },
      },
    ]);
  });

  it("refuses an empty list of prefixes (which would list nothing, or everything if misread)", () => {
    const { role, bucket } = fixture();
    expect(() => grantList(role, bucket, [])).toThrow("grantList: no prefix given");
  });
});

describe("Security Hub", () => {
  it("names this account's default product", () => {
    expect(securityHubProductArn("aws", "eu-west-1", "123456789012")).toBe(
      "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default",
    );
  });

  it("allows securityhub:BatchImportFindings on that product only", () => {
    const { role, statements } = fixture();
    const product = securityHubProductArn("aws", "eu-west-1", "123456789012");
    grantSecurityHubImport(role, product);
    expect(statements()).toEqual([
      { Effect: "Allow", Action: "securityhub:BatchImportFindings", Resource: product },
    ]);
  });
});
