/**
 * Least-privilege grants on the findings bucket, action by action. CDK's `bucket.grantRead`/`grantPut`
 * grant action families (`s3:GetObject*`, `s3:List*` on the whole bucket, `s3:Abort*`) and, on the key,
 * `kms:Encrypt` and `kms:ReEncrypt*`: more than a function that reads and writes small JSON objects
 * needs. These helpers grant exactly the S3 action each call needs, on the key patterns named, and only
 * the KMS action SSE-KMS asks of the caller for it (Decrypt to read, GenerateDataKey to write).
 */
import * as iam from "aws-cdk-lib/aws-iam";
import type * as s3 from "aws-cdk-lib/aws-s3";

/** Options of {@link grantObjectWrite}. */
export interface ObjectWriteOptions {
  /**
   * Whether writes carry tags (PutObject's `Tagging` header, as history objects do): S3 then also
   * checks `s3:PutObjectTagging`.
   * @default false
   */
  readonly tagging?: boolean;
}

/** Key patterns of `bucket` as object ARNs; refuses an empty list (it would silently grant nothing). */
function objectArns(bucket: s3.IBucket, keyPatterns: readonly string[], what: string): string[] {
  if (keyPatterns.length === 0) throw new Error(`${what}: no key pattern given`);
  return keyPatterns.map((pattern) => bucket.arnForObjects(pattern));
}

/**
 * Lets `grantee` read the objects matching `keyPatterns` (`s3:GetObject`; GetObject of a missing key then
 * answers NoSuchKey only if the caller may also list, otherwise AccessDenied) and decrypt them
 * (`kms:Decrypt` on the bucket key).
 */
export function grantObjectRead(
  grantee: iam.IGrantable,
  bucket: s3.IBucket,
  keyPatterns: readonly string[],
): iam.Grant {
  const s3Grant = iam.Grant.addToPrincipal({
    grantee,
    actions: ["s3:GetObject"],
    resourceArns: objectArns(bucket, keyPatterns, "grantObjectRead"),
  });
  const kmsGrant = bucket.encryptionKey?.grant(grantee, "kms:Decrypt");
  return kmsGrant ? s3Grant.combine(kmsGrant) : s3Grant;
}

/**
 * Lets `grantee` write the objects matching `keyPatterns` (`s3:PutObject`, plus `s3:PutObjectTagging`
 * when tagged) and have S3 encrypt them (`kms:GenerateDataKey` on the bucket key: all that a single-part
 * upload asks; multipart uploads would also need `kms:Decrypt`, and none are made).
 */
export function grantObjectWrite(
  grantee: iam.IGrantable,
  bucket: s3.IBucket,
  keyPatterns: readonly string[],
  options: ObjectWriteOptions = {},
): iam.Grant {
  const s3Grant = iam.Grant.addToPrincipal({
    grantee,
    actions: ["s3:PutObject", ...(options.tagging ? ["s3:PutObjectTagging"] : [])],
    resourceArns: objectArns(bucket, keyPatterns, "grantObjectWrite"),
  });
  const kmsGrant = bucket.encryptionKey?.grant(grantee, "kms:GenerateDataKey");
  return kmsGrant ? s3Grant.combine(kmsGrant) : s3Grant;
}

/**
 * Lets `grantee` delete the objects matching `keyPatterns` (`s3:DeleteObject` only: on a versioned
 * bucket that adds a delete marker; the versions stay, and no `s3:DeleteObjectVersion` is granted).
 */
export function grantObjectDelete(
  grantee: iam.IGrantable,
  bucket: s3.IBucket,
  keyPatterns: readonly string[],
): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ["s3:DeleteObject"],
    resourceArns: objectArns(bucket, keyPatterns, "grantObjectDelete"),
  });
}

/**
 * Lets `grantee` list the keys under `prefixes` only (`s3:ListBucket` on the bucket, with an `s3:prefix`
 * StringLike condition; a prefix may hold `*`, e.g. `findings/*\/1.1/history/`). A listing is sent with
 * the exact prefix, so each pattern is also allowed with `*` after it (deeper prefixes).
 */
export function grantList(
  grantee: iam.IGrantable,
  bucket: s3.IBucket,
  prefixes: readonly string[],
): iam.Grant {
  if (prefixes.length === 0) throw new Error("grantList: no prefix given");
  const allowed = [...new Set(prefixes.flatMap((prefix) => [prefix, `${prefix}*`]))];
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ["s3:ListBucket"],
    resourceArns: [bucket.bucketArn],
    conditions: { StringLike: { "s3:prefix": allowed } },
  });
}

/** The default Security Hub product of this account and region: where an account imports its own findings. */
export function securityHubProductArn(partition: string, region: string, account: string): string {
  return `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`;
}

/** Lets `grantee` import findings into Security Hub (`securityhub:BatchImportFindings` on `productArn` only). */
export function grantSecurityHubImport(grantee: iam.IGrantable, productArn: string): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ["securityhub:BatchImportFindings"],
    resourceArns: [productArn],
  });
}
