/** Findings and state in the S3 bucket, with the same keys as the local store. */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { ControlFinding, RunReport } from "../engine/findings.js";
import type { StateStore } from "../service/state-store.js";
import {
  type FindingsDocuments,
  type FindingsStore,
  HISTORY_TAG,
  layout,
  readLatestEvaluated,
  writeFinding,
} from "../store/findings-store.js";

/** Whether a listing of exactly `key` shows it (needs only `s3:ListBucket` scoped by `s3:prefix`). */
export async function objectListed(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
  return (page.Contents ?? []).some((object) => object.Key === key);
}

/**
 * Whether a failed read means "no such object". S3 answers AccessDenied instead of NoSuchKey unless it
 * counts the role as able to list the bucket, and whether a prefix-scoped `s3:ListBucket` counts is not
 * documented; so an AccessDenied is "missing" only when a listing of the exact key shows nothing. A failed
 * listing keeps the AccessDenied (never "missing" by default: a refused read is not an empty store).
 */
export async function isMissingObject(
  error: unknown,
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<boolean> {
  const name = (error as { name?: string } | undefined)?.name;
  if (error instanceof NoSuchKey || name === "NoSuchKey" || name === "NotFound") return true;
  if (name !== "AccessDenied") return false;
  return objectListed(s3, bucket, key).then(
    (listed) => !listed,
    () => false,
  );
}

/** Reads a JSON object; a missing key is `undefined`. */
export async function getJsonObject<T>(s3: S3Client, bucket: string, key: string): Promise<T | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse((await object.Body?.transformToString()) ?? "") as T;
  } catch (error) {
    if (await isMissingObject(error, s3, bucket, key)) return undefined;
    throw error;
  }
}

/** A findings store and state store over one bucket. */
export function s3Store(s3: S3Client, bucket: string): FindingsStore & StateStore {
  const put = async (key: string, value: unknown, tag?: { key: string; value: string }) => {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: "application/json",
        ...(tag ? { Tagging: `${tag.key}=${tag.value}` } : {}),
      }),
    );
  };
  const get = <T>(key: string) => getJsonObject<T>(s3, bucket, key);
  const docs: FindingsDocuments = {
    read: get,
    // The bucket's lifecycle expires history by this tag (rules match prefixes or tags, and history
    // keys hold org and control ids); latest.json and last-evaluated.json are never tagged, so never expire.
    write: (key, value, history) => put(key, value, history ? HISTORY_TAG : undefined),
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
  };
  return {
    putFinding: (finding) => writeFinding(docs, finding),
    getLatest: (orgId, controlId) => get<ControlFinding>(layout.latest(orgId, controlId)),
    getLatestEvaluated: (orgId, controlId) => readLatestEvaluated(docs, orgId, controlId),
    putRun: (report: RunReport) => put(layout.run(report.orgId, report.runId), report),
    getJson: get,
    putJson: put,
  };
}
