/** A findings store in a local folder, laid out exactly like the S3 bucket. */
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ControlFinding, RunReport } from "../engine/findings.js";
import {
  type FindingsDocuments,
  type FindingsStore,
  layout,
  readLatestEvaluated,
  writeFinding,
} from "./findings-store.js";

/** Creates a store rooted at a folder (created on first write). */
export function localFindingsStore(root: string): FindingsStore {
  const docs: FindingsDocuments = {
    async write(key, value) {
      const path = join(root, key);
      await mkdir(dirname(path), { recursive: true });
      // Write then rename, so a reader never sees half a document.
      await writeFile(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
      await rename(`${path}.tmp`, path);
    },
    async read<T>(key: string): Promise<T | undefined> {
      try {
        return JSON.parse(await readFile(join(root, key), "utf8")) as T;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
    async list(prefix) {
      try {
        // `.json.tmp` files are writes in progress, not entries.
        return (await readdir(join(root, prefix))).filter((n) => n.endsWith(".json")).map((n) => prefix + n);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw error;
      }
    },
  };
  return {
    putFinding: (finding) => writeFinding(docs, finding),
    getLatest: (orgId, controlId) => docs.read<ControlFinding>(layout.latest(orgId, controlId)),
    getLatestEvaluated: (orgId, controlId) => readLatestEvaluated(docs, orgId, controlId),
    putRun: (report: RunReport) => docs.write(layout.run(report.orgId, report.runId), report),
  };
}
