import { describe, expect, it } from "vitest";
import { createJumpCloudClient, type JumpCloudClientOptions } from "../../../lambdas/jumpcloud/client.js";
import { JumpCloudConfigError } from "../../../lambdas/jumpcloud/errors.js";

const KEY = "0123456789abcdef0123456789abcdef01234567";

describe("createJumpCloudClient validates its options before sending anything", () => {
  it.each<[string, Partial<JumpCloudClientOptions>, RegExp]>([
    ["empty key", { apiKey: "" }, /key is empty/],
    ["blank key", { apiKey: "   " }, /key is empty/],
    ["key with a newline (header injection)", { apiKey: `${KEY}\nx-org-id: 1` }, /printable ASCII/],
    ["malformed org id", { orgId: "acme" }, /24 hexadecimal/],
    ["non-URL base", { baseUrl: "console.jumpcloud.com" }, /baseUrl must be an http\(s\) URL/],
    ["page size above the API cap", { pageSize: 101 }, /1 to 100/],
    ["zero page size", { pageSize: 0 }, /1 to 100/],
    ["Insights page size above 10000", { insightsPageSize: 10_001 }, /1 to 10000/],
    ["zero concurrency", { maxConcurrency: 0 }, /positive integer/],
  ])("%s", (_name, override, message) => {
    expect(() => createJumpCloudClient({ apiKey: KEY, ...override })).toThrow(JumpCloudConfigError);
    expect(() => createJumpCloudClient({ apiKey: KEY, ...override })).toThrow(message);
  });

  it("accepts a valid configuration", () => {
    const client = createJumpCloudClient({ apiKey: KEY, orgId: "5f0000000000000000000001", region: "eu" });
    expect(client.endpoints.consoleUrl).toBe("https://console.eu.jumpcloud.com");
    expect(client.orgId).toBe("5f0000000000000000000001");
  });

  it("rejects paths outside the API", async () => {
    const client = createJumpCloudClient({ apiKey: KEY });
    await expect(client.get("/organizations")).rejects.toThrow(/must start with \/api\//);
  });
});
