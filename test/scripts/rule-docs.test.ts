import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderRuleDocs } from "../../scripts/rule-docs.js";

describe("README detections table", () => {
  it("is exactly what detections/ renders (run npm run docs:detections after changing a rule)", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(renderRuleDocs());
  });
});
