/**
 * An S3 bucket behind aws-sdk-client-mock with the conditional requests remediation relies on:
 * If-None-Match: * on Put (412 when the key exists), ETags, and If-Match on Delete (412 for another
 * ETag, 404 when the key is gone). `failPut` lets a test make chosen writes fail.
 */
import { createHash } from "node:crypto";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  PutObjectCommand,
  type S3ClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-s3";
import type { AwsStub } from "aws-sdk-client-mock";

const preconditionFailed = () =>
  Object.assign(new Error("At least one of the pre-conditions you specified did not hold"), {
    name: "PreconditionFailed",
    $metadata: { httpStatusCode: 412 },
  });

/** The bucket's objects, and a hook deciding whether a Put of a key fails (thrown as S3 would). */
export interface FakeBucket {
  objects: Map<string, { text: string; etag: string }>;
  failPut?: (key: string) => boolean;
}

/** Serves the mocked client's object calls from memory. */
export function conditionalBucket(
  s3: AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>,
): FakeBucket {
  const bucket: FakeBucket = { objects: new Map() };
  s3.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: string; IfNoneMatch?: string }) => {
    if (bucket.failPut?.(input.Key))
      throw Object.assign(new Error("We encountered an internal error. Please try again."), {
        name: "InternalError",
        $metadata: { httpStatusCode: 500 },
      });
    if (input.IfNoneMatch === "*" && bucket.objects.has(input.Key)) throw preconditionFailed();
    const text = String(input.Body);
    const etag = `"${createHash("md5").update(text).digest("hex")}"`;
    bucket.objects.set(input.Key, { text, etag });
    return { ETag: etag };
  });
  s3.on(GetObjectCommand).callsFake(async (input: { Key: string }) => {
    const object = bucket.objects.get(input.Key);
    if (!object) throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} });
    return {
      ETag: object.etag,
      Body: { transformToString: async () => object.text },
    } as unknown as GetObjectCommandOutput;
  });
  s3.on(DeleteObjectCommand).callsFake(async (input: { Key: string; IfMatch?: string }) => {
    const object = bucket.objects.get(input.Key);
    if (input.IfMatch !== undefined) {
      if (!object) throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} });
      if (input.IfMatch !== "*" && input.IfMatch !== object.etag) throw preconditionFailed();
    }
    bucket.objects.delete(input.Key);
    return {};
  });
  return bucket;
}
