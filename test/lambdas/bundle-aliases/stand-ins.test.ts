/** The stand-ins lib/bundling.ts puts in the Lambda bundles in place of unreachable packages. */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  credentialsTreatedAsExpired,
  credentialsWillNeedRefresh,
  defaultProvider,
} from "../../../lambdas/bundle-aliases/credential-provider-node.js";
import http2 from "../../../lambdas/bundle-aliases/http2-wrapper.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("credential-provider-node stand-in", () => {
  it("gives the credentials Lambda sets in the environment", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "secret-example");
    vi.stubEnv("AWS_SESSION_TOKEN", "token-example");
    await expect(defaultProvider()()).resolves.toMatchObject({
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "secret-example",
      sessionToken: "token-example",
    });
  });

  it("fails with the SDK's own error when they are missing", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "");
    await expect(defaultProvider()()).rejects.toThrow("Unable to find environment variable credentials");
  });

  it("refreshes as the real chain does: credentials with an expiry, five minutes before it", () => {
    const inMinutes = (minutes: number) => ({ expiration: new Date(Date.now() + minutes * 60_000) });
    expect(credentialsWillNeedRefresh({})).toBe(false);
    expect(credentialsWillNeedRefresh(inMinutes(60))).toBe(true);
    expect(credentialsTreatedAsExpired(inMinutes(60))).toBe(false);
    expect(credentialsTreatedAsExpired(inMinutes(4))).toBe(true);
  });
});

describe("http2-wrapper stand-in", () => {
  it("fails loudly if got's http2 option is ever turned on", () => {
    expect(() => http2.auto).toThrow(/HTTP\/2 is not bundled/);
    expect(() => http2.globalAgent).toThrow(/HTTP\/2 is not bundled/);
  });
});
