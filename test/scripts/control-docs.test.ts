import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderControlDocs } from "../../scripts/control-docs.js";

describe("README control catalog", () => {
  it("is exactly what the registry renders (run npm run docs:controls after changing a control)", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(renderControlDocs());
  });
});
