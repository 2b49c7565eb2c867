import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRuleFiles } from "../../../lambdas/detections/rule-files.js";
import { loadDetectionConfig } from "../../../lambdas/service/config.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "rules-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readRuleFiles", () => {
  it("reads .yml and .yaml files, sorted, and nothing else", async () => {
    await writeFile(join(dir, "b.yml"), "b");
    await writeFile(join(dir, "a.yaml"), "a");
    await writeFile(join(dir, "notes.md"), "x");
    expect(readRuleFiles(dir)).toEqual([
      { source: "a.yaml", text: "a" },
      { source: "b.yml", text: "b" },
    ]);
  });

  it("names a missing or empty folder", () => {
    expect(() => readRuleFiles(join(dir, "nope"))).toThrow(/^Cannot read the rules folder .*nope: ENOENT$/);
    expect(() => readRuleFiles(dir)).toThrow(/^No Sigma rules \(\.yml\) in /);
  });
});

describe("loadDetectionConfig", () => {
  const env = {
    FINDINGS_BUCKET: "jc-findings",
    ALERTS_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:alerts",
    API_KEY_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:audit",
  };

  it("applies defaults", () => {
    expect(loadDetectionConfig(env)).toMatchObject({ SILENCE_HOURS: 24, OVERLAP_MINUTES: 5, JC_ORG_IDS: [] });
  });

  it.each([
    [{ SILENCE_HOURS: "0" }, /^Invalid configuration: SILENCE_HOURS:/],
    [{ OVERLAP_MINUTES: "many" }, /^Invalid configuration: OVERLAP_MINUTES:/],
    [{ ALERTS_TOPIC_ARN: "topic" }, /^Invalid configuration: ALERTS_TOPIC_ARN:/],
  ])("names the bad variable: %j", (override, message) => {
    expect(() => loadDetectionConfig({ ...env, ...override })).toThrow(message);
  });
});
