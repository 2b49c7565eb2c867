/** A findings store in a local folder, laid out exactly like the S3 bucket. */
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ControlFinding, RunReport } from "../engine/findings.js";
import { type FindingsStore, layout } from "./findings-store.js";

/** How far back to look for an evaluated finding when the latest ones are ERROR. */
const MAX_HISTORY_LOOKBACK = 60;

/** Creates a store rooted at a folder (created on first write). */
export function localFindingsStore(root: string): FindingsStore {
  const write = async (key: string, value: unknown) => {
    const path = join(root, key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so a reader never sees half a document.
    await writeFile(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
    await rename(`${path}.tmp`, path);
  };
  const read = async <T>(key: string): Promise<T | undefined> => {
    try {
      return JSON.parse(await readFile(join(root, key), "utf8")) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  };
  return {
    async putFinding(finding) {
      await write(layout.history(finding.orgId, finding.controlId, finding.evaluatedAt), finding);
      await write(layout.latest(finding.orgId, finding.controlId), finding);
    },
    getLatest: (orgId, controlId) => read<ControlFinding>(layout.latest(orgId, controlId)),
    async getLatestEvaluated(orgId, controlId) {
      const latest = await read<ControlFinding>(layout.latest(orgId, controlId));
      if (latest?.status !== "ERROR") return latest;
      const prefix = layout.historyPrefix(orgId, controlId);
      let names: string[];
      try {
        names = (await readdir(join(root, prefix)))
          .filter((n) => n.endsWith(".json"))
          .sort()
          .reverse();
      } catch {
        return undefined;
      }
      for (const name of names.slice(0, MAX_HISTORY_LOOKBACK)) {
        const finding = await read<ControlFinding>(prefix + name);
        if (finding && finding.status !== "ERROR") return finding;
      }
      return undefined;
    },
    putRun: (report: RunReport) => write(layout.run(report.orgId, report.runId), report),
  };
}
