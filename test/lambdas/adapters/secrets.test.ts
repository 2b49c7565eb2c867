/** The API key reader over a mocked Secrets Manager: formats, clear errors, caching, no echo of the secret. */
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { apiKeyReader, SECRET_CACHE_SECONDS } from "../../../lambdas/adapters/secrets.js";
import { rejection } from "../../helpers/simulator.js";

const SECRET_ID = "arn:aws:secretsmanager:us-east-1:123456789012:secret:jumpcloud-audit-key-AbCdEf";
const KEY = "jc-test-key-7f3a9c2e51b84d06a1e2c3d4";
const sm = mockClient(SecretsManagerClient);

beforeEach(() => {
  sm.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

const reader = () => apiKeyReader(SECRET_ID, new SecretsManagerClient({}));
const calls = () => sm.commandCalls(GetSecretValueCommand).length;

describe("apiKeyReader", () => {
  it("reads a plain string secret (trimmed)", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: `  ${KEY}\n` });
    expect(await reader()()).toBe(KEY);
    expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ID });
  });

  it('reads JSON {"apiKey": "…"}', async () => {
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ apiKey: KEY, note: "ro admin" }),
    });
    expect(await reader()()).toBe(KEY);
  });

  it("reads a binary secret", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new TextEncoder().encode(KEY) });
    expect(await reader()()).toBe(KEY);
  });

  it.each([
    ["an empty string", { SecretString: "" }],
    ["blanks", { SecretString: "   \n" }],
    ["JSON without apiKey", { SecretString: JSON.stringify({ key: KEY }) }],
    ["JSON with an empty apiKey", { SecretString: JSON.stringify({ apiKey: "  " }) }],
  ])("refuses %s with a clear error naming the secret and the fix", async (_name, answer) => {
    sm.on(GetSecretValueCommand).resolves(answer);
    const error = await rejection(reader()());
    expect(error.message).toBe(
      `Secret ${SECRET_ID} holds no API key; put one with aws secretsmanager put-secret-value`,
    );
    expect(error.message).not.toContain(KEY);
  });

  it("refuses malformed JSON without echoing the value", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: `{"apiKey": "${KEY}"` });
    const error = await rejection(reader()());
    expect(error.message).toBe(
      `Secret ${SECRET_ID} looks like JSON but does not parse; store the key itself or {"apiKey": "…"}`,
    );
    expect(error.message).not.toContain(KEY);
    expect(String(error.stack)).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(KEY);
  });

  it("caches the key: a second read within the cache age does not call Secrets Manager", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: KEY });
    const read = reader();
    expect(await read()).toBe(KEY);
    expect(await read()).toBe(KEY);
    expect(await read()).toBe(KEY);
    expect(calls()).toBe(1);
  });

  it("reads again once the cache age has passed (a rotated key is picked up)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-28T12:00:00.000Z"));
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: KEY })
      .resolves({ SecretString: `${KEY}-rotated` });
    const read = reader();
    expect(await read()).toBe(KEY);
    vi.setSystemTime(new Date(Date.now() + (SECRET_CACHE_SECONDS - 10) * 1000));
    expect(await read()).toBe(KEY);
    expect(calls()).toBe(1);
    vi.setSystemTime(new Date(Date.now() + 20 * 1000));
    expect(await read()).toBe(`${KEY}-rotated`);
    expect(calls()).toBe(2);
  });

  it("lets a Secrets Manager failure surface (the run is retried), naming no secret value", async () => {
    sm.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: {},
      }),
    );
    const error = await rejection(reader()());
    expect(error.message).toMatch(/can't find the specified secret/);
    expect(error.message).not.toContain(KEY);
  });
});
