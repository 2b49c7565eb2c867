/**
 * A real S3 on loopback (s3rver) with one bucket for integration tests, a client of it, and the
 * environment that points a handler's `new S3Client({})` at it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";

/** A running s3rver, a path-style client of it, and how to stop both. */
export interface LocalS3 {
  endpoint: string;
  client: S3Client;
  stop(): Promise<void>;
}

/** Starts s3rver on a free loopback port with `bucket` created, in a fresh temporary folder. */
export async function startLocalS3(bucket: string): Promise<LocalS3> {
  const dataDir = await mkdtemp(join(tmpdir(), "s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: dataDir,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Environment for handlers that build `new S3Client({})`: the SDK takes the endpoint from
 * AWS_ENDPOINT_URL_S3 and, the host being an IP address, addresses buckets path-style; dummy credentials,
 * and nothing from the developer's own AWS profile.
 */
export function localS3Env(endpoint: string): Record<string, string | undefined> {
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
    AWS_REGION: "us-east-1",
  };
}
