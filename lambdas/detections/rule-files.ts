/** Reads the Sigma rule files of a folder (the repository's detections/, or the copy inside a Lambda bundle). */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Every `.yml`/`.yaml` file of a folder, sorted, with its text. */
export function readRuleFiles(dir: string): { source: string; text: string }[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort();
  } catch (error) {
    throw new Error(`Cannot read the rules folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  if (names.length === 0) throw new Error(`No Sigma rules (.yml) in ${dir}`);
  return names.map((name) => ({ source: name, text: readFileSync(join(dir, name), "utf8") }));
}
