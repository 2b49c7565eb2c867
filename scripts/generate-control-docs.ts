/** `npm run docs:controls`: rewrites the control catalog section of README.md from the registry. */
import { readFileSync, writeFileSync } from "node:fs";
import { MARKERS, renderControlDocs } from "./control-docs.js";

const path = new URL("../README.md", import.meta.url);
const readme = readFileSync(path, "utf8");
const start = readme.indexOf(MARKERS.start);
const end = readme.indexOf(MARKERS.end);
if (start < 0 || end < start) throw new Error("README.md lacks the controls markers");
writeFileSync(path, readme.slice(0, start) + renderControlDocs() + readme.slice(end + MARKERS.end.length));
console.log("README.md control catalog updated");
