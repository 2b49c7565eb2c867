/** Remediation records, operation markers and the lock in a local folder, laid out like the S3 bucket. */
import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseHolder, type RemediationStore, remediationKeys } from "../remediation/record.js";

/** A remediation store rooted at a folder; every path is built from validated ids (see remediationKeys). */
export function localRemediationStore(root: string): RemediationStore {
  const path = (key: string) => join(root, key);
  const readText = async (file: string): Promise<string | undefined> => {
    try {
      return await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  };
  const tokenOf = (text: string | undefined): string | undefined => {
    try {
      const token = (JSON.parse(text ?? "") as { token?: unknown }).token;
      return typeof token === "string" ? token : undefined;
    } catch {
      return undefined;
    }
  };
  /**
   * Takes the lock file aside by an atomic rename (only one caller can move it), then keeps it removed
   * only if it is the lock `tag` names; a newer lock moved by mistake is put back (link fails if yet
   * another lock appeared meanwhile: that one stands).
   */
  const takeIf = async (file: string, tag: string): Promise<boolean> => {
    const aside = `${file}.${randomBytes(8).toString("hex")}.taken`;
    try {
      await rename(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
    try {
      if (tokenOf(await readText(aside)) === tag) return true;
      await link(aside, file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "EEXIST") throw error;
      });
      return false;
    } finally {
      await rm(aside, { force: true });
    }
  };
  return {
    getRecord: (orgId, planId) => readText(path(remediationKeys.plan(orgId, planId))),
    async putRecord(orgId, planId, text) {
      const file = path(remediationKeys.plan(orgId, planId));
      await mkdir(dirname(file), { recursive: true });
      const temporary = `${file}.${randomBytes(8).toString("hex")}.tmp`;
      await writeFile(temporary, text, { mode: 0o600 });
      await rename(temporary, file);
    },
    async createMarker(orgId, planId, op, text) {
      const file = path(remediationKeys.marker(orgId, planId, op));
      await mkdir(dirname(file), { recursive: true });
      try {
        await writeFile(file, text, { flag: "wx", mode: 0o600 });
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw error;
      }
    },
    async acquireLock(orgId, lock) {
      const file = path(remediationKeys.lock(orgId));
      await mkdir(dirname(file), { recursive: true });
      const token = randomBytes(16).toString("hex");
      try {
        // "wx" fails if the file exists: the local equivalent of S3's If-None-Match: *.
        await writeFile(file, JSON.stringify({ ...lock, token }), { flag: "wx" });
        return { acquired: true, tag: token };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const text = await readText(file);
        const holder = parseHolder(text);
        const tag = tokenOf(text);
        return { acquired: false, ...(holder ? { holder } : {}), ...(tag ? { tag } : {}) };
      }
    },
    async releaseLock(orgId, tag) {
      const file = path(remediationKeys.lock(orgId));
      if (tag === undefined) await rm(file, { force: true });
      else await takeIf(file, tag);
    },
    breakLock: (orgId, tag) => takeIf(path(remediationKeys.lock(orgId)), tag),
  };
}
