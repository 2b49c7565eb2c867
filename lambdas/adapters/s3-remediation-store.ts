/**
 * Remediation records, operation markers and the per-organization lock in S3. Markers and the lock are
 * conditional writes (If-None-Match: *); the lock is removed only by a conditional delete (If-Match on
 * the ETag its taker or breaker saw), so two callers can never both break or release the same lock.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { parseHolder, type RemediationStore, remediationKeys } from "../remediation/record.js";
import { isMissingObject } from "./s3-store.js";

const nameOf = (error: unknown) => (error as { name?: string }).name;
// 412: the condition failed (the object exists, or is another version); 409: a concurrent conditional request won.
const lostRace = (error: unknown) =>
  ["PreconditionFailed", "ConditionalRequestConflict"].includes(nameOf(error) ?? "");
const missing = (error: unknown) =>
  error instanceof NoSuchKey || ["NoSuchKey", "NotFound"].includes(nameOf(error) ?? "");

/** A remediation store over one bucket. */
export function s3RemediationStore(s3: S3Client, bucket: string): RemediationStore {
  const read = async (key: string): Promise<{ text: string; etag?: string } | undefined> => {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return {
        text: (await object.Body?.transformToString()) ?? "",
        ...(object.ETag ? { etag: object.ETag } : {}),
      };
    } catch (error) {
      if (await isMissingObject(error, s3, bucket, key)) return undefined;
      throw error;
    }
  };
  const createOnly = async (key: string, body: string): Promise<string | false> => {
    try {
      const out = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: "application/json",
          IfNoneMatch: "*",
        }),
      );
      return out?.ETag ?? "";
    } catch (error) {
      if (lostRace(error)) return false;
      throw error;
    }
  };
  /** Deletes `key` only if its ETag is still `etag`; true when this call removed it. */
  const deleteIf = async (key: string, etag: string): Promise<boolean> => {
    try {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag }));
      return true;
    } catch (error) {
      // 404: someone else removed it first; 412/409: it is another lock now.
      if (lostRace(error) || missing(error)) return false;
      throw error;
    }
  };
  return {
    getRecord: async (orgId, planId) => (await read(remediationKeys.plan(orgId, planId)))?.text,
    async putRecord(orgId, planId, text) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: remediationKeys.plan(orgId, planId),
          Body: text,
          ContentType: "application/json",
        }),
      );
    },
    async createMarker(orgId, planId, op, text) {
      return (await createOnly(remediationKeys.marker(orgId, planId, op), text)) !== false;
    },
    async acquireLock(orgId, lock) {
      const key = remediationKeys.lock(orgId);
      const etag = await createOnly(key, JSON.stringify(lock));
      if (etag !== false) return { acquired: true, ...(etag ? { tag: etag } : {}) };
      const current = await read(key);
      const holder = parseHolder(current?.text);
      return {
        acquired: false,
        ...(holder ? { holder } : {}),
        ...(current?.etag ? { tag: current.etag } : {}),
      };
    },
    async releaseLock(orgId, tag) {
      const key = remediationKeys.lock(orgId);
      // Why conditional: after a run outlived the stale-lock limit, its lock may have been broken and
      // taken by another run; an unconditional delete would remove that run's lock.
      if (tag) await deleteIf(key, tag);
      else await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    breakLock: (orgId, tag) => deleteIf(remediationKeys.lock(orgId), tag),
  };
}
