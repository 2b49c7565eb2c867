/** `npm run docs:detections`: rewrites the detections table of README.md from detections/. */
import { readFileSync, writeFileSync } from "node:fs";
import { RULE_MARKERS, renderRuleDocs } from "./rule-docs.js";

const path = new URL("../README.md", import.meta.url);
const readme = readFileSync(path, "utf8");
const start = readme.indexOf(RULE_MARKERS.start);
const end = readme.indexOf(RULE_MARKERS.end);
if (start < 0 || end < start) throw new Error("README.md lacks the detections markers");
writeFileSync(path, readme.slice(0, start) + renderRuleDocs() + readme.slice(end + RULE_MARKERS.end.length));
console.log("README.md detections table updated");
