/** Remediation plans and the lock in a local folder, laid out like the S3 bucket. */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  type RemediationLock,
  type RemediationPlan,
  type RemediationStore,
  remediationKeys,
} from "../remediation/record.js";

/** A remediation store rooted at a folder. */
export function localRemediationStore(root: string): RemediationStore {
  const path = (key: string) => join(root, key);
  const read = async <T>(key: string): Promise<T | undefined> => {
    try {
      return JSON.parse(await readFile(path(key), "utf8")) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  };
  return {
    async putPlan(plan) {
      const file = path(remediationKeys.plan(plan.orgId, plan.planId));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(`${file}.tmp`, `${JSON.stringify(plan, null, 2)}\n`);
      await rename(`${file}.tmp`, file);
    },
    getPlan: (orgId, planId) => read<RemediationPlan>(remediationKeys.plan(orgId, planId)),
    async acquireLock(orgId, lock) {
      const file = path(remediationKeys.lock(orgId));
      await mkdir(dirname(file), { recursive: true });
      try {
        // "wx" fails if the file exists: the local equivalent of S3's If-None-Match: *.
        await writeFile(file, JSON.stringify(lock), { flag: "wx" });
        return { acquired: true };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        return { acquired: false, holder: await read<RemediationLock>(remediationKeys.lock(orgId)) };
      }
    },
    releaseLock: (orgId) => rm(path(remediationKeys.lock(orgId)), { force: true }),
  };
}
