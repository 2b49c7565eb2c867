import { describe, expect, it } from "vitest";
import { isJumpCloudRegion, resolveEndpoints } from "../../../lambdas/jumpcloud/regions.js";

describe("resolveEndpoints", () => {
  it.each([
    ["us", "https://console.jumpcloud.com", "https://api.jumpcloud.com/insights/directory/v1"],
    ["eu", "https://console.eu.jumpcloud.com", "https://api.eu.jumpcloud.com/insights/directory/v1"],
    ["in", "https://console.in.jumpcloud.com", "https://api.in.jumpcloud.com/insights/directory/v1"],
  ] as const)("region %s", (region, consoleUrl, insightsUrl) => {
    expect(resolveEndpoints({ region })).toEqual({ consoleUrl, insightsUrl });
  });

  it("defaults to US", () => {
    expect(resolveEndpoints({}).consoleUrl).toBe("https://console.jumpcloud.com");
  });

  it("lets explicit URLs override the region, trimming trailing slashes", () => {
    expect(
      resolveEndpoints({
        region: "eu",
        baseUrl: "http://127.0.0.1:8787/",
        insightsUrl: "http://127.0.0.1:9/di/",
      }),
    ).toEqual({
      consoleUrl: "http://127.0.0.1:8787",
      insightsUrl: "http://127.0.0.1:9/di",
    });
  });

  it("serves Insights from a base-URL override's origin when only the base URL is given", () => {
    expect(resolveEndpoints({ baseUrl: "https://proxy.internal" }).insightsUrl).toBe(
      "https://proxy.internal/insights/directory/v1",
    );
  });

  it("knows its regions", () => {
    expect(["us", "eu", "in", "apac"].map(isJumpCloudRegion)).toEqual([true, true, true, false]);
  });
});
