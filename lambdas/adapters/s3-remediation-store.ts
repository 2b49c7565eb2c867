/** Remediation plans and the per-organization lock in S3; the lock is a conditional write (If-None-Match: *). */
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  type RemediationLock,
  type RemediationPlan,
  type RemediationStore,
  remediationKeys,
} from "../remediation/record.js";
import { getJsonObject } from "./s3-store.js";

/** A remediation store over one bucket. */
export function s3RemediationStore(s3: S3Client, bucket: string): RemediationStore {
  const get = <T>(key: string) => getJsonObject<T>(s3, bucket, key);
  return {
    async putPlan(plan: RemediationPlan) {
      const key = remediationKeys.plan(plan.orgId, plan.planId);
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify(plan),
          ContentType: "application/json",
        }),
      );
    },
    getPlan: (orgId, planId) => get<RemediationPlan>(remediationKeys.plan(orgId, planId)),
    async acquireLock(orgId, lock: RemediationLock) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: remediationKeys.lock(orgId),
            Body: JSON.stringify(lock),
            ContentType: "application/json",
            IfNoneMatch: "*",
          }),
        );
        return { acquired: true };
      } catch (error) {
        const name = (error as { name?: string }).name;
        // 412: the object exists (someone holds the lock); 409: a concurrent conditional write won.
        if (name !== "PreconditionFailed" && name !== "ConditionalRequestConflict") throw error;
        return { acquired: false, holder: await get<RemediationLock>(remediationKeys.lock(orgId)) };
      }
    },
    async releaseLock(orgId) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: remediationKeys.lock(orgId) }));
    },
  };
}
