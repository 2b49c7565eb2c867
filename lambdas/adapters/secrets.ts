/** The JumpCloud API key from Secrets Manager, cached for a few minutes per warm function. */
import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** Seconds a fetched key is reused before asking Secrets Manager again. */
export const SECRET_CACHE_SECONDS = 300;

/** Reads the key: a plain string, or JSON `{"apiKey": "…"}`. Never logs or echoes it. */
export function apiKeyReader(secretId: string, client?: SecretsManagerClient): () => Promise<string> {
  const provider = new SecretsProvider(client ? { awsSdkV3Client: client } : {});
  return async () => {
    const value = await provider.get(secretId, { maxAge: SECRET_CACHE_SECONDS });
    const text = typeof value === "string" ? value : value ? new TextDecoder().decode(value) : "";
    let key = text.trim();
    if (key.startsWith("{")) {
      try {
        key = String((JSON.parse(key) as { apiKey?: unknown }).apiKey ?? "").trim();
      } catch {
        throw new Error(
          `Secret ${secretId} looks like JSON but does not parse; store the key itself or {"apiKey": "…"}`,
        );
      }
    }
    if (!key)
      throw new Error(
        `Secret ${secretId} holds no API key; put one with aws secretsmanager put-secret-value`,
      );
    return key;
  };
}
