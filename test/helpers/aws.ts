/** An in-memory S3 bucket behind aws-sdk-client-mock: Put (with If-None-Match: *), Get, Delete, paged List. */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3ClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-s3";
import type { AwsStub } from "aws-sdk-client-mock";

/** Serves the mocked client's object calls from a Map (returned, so tests can look inside). */
export function fakeBucket(
  s3: AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>,
): Map<string, string> {
  const objects = new Map<string, string>();
  s3.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: string; IfNoneMatch?: string }) => {
    if (input.IfNoneMatch === "*" && objects.has(input.Key)) {
      throw Object.assign(new Error("At least one of the pre-conditions you specified did not hold"), {
        name: "PreconditionFailed",
      });
    }
    objects.set(input.Key, String(input.Body));
    return {};
  });
  s3.on(GetObjectCommand).callsFake(async (input: { Key: string }) => {
    const text = objects.get(input.Key);
    if (text === undefined)
      throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} });
    return { Body: { transformToString: async () => text } } as unknown as GetObjectCommandOutput;
  });
  s3.on(DeleteObjectCommand).callsFake(async (input: { Key: string }) => {
    objects.delete(input.Key);
    return {};
  });
  s3.on(ListObjectsV2Command).callsFake(async (input: { Prefix?: string }) => ({
    Contents: [...objects.keys()].filter((k) => k.startsWith(input.Prefix ?? "")).map((Key) => ({ Key })),
    IsTruncated: false,
  }));
  return objects;
}
