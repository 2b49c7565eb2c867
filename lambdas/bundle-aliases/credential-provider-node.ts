/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles only (`lib/bundling.ts` aliases
 * it; tests and the CLI keep the real chain). Lambda gives every function its role's credentials in
 * environment variables, which the default chain reads first; its other links (SSO, profiles, credential
 * processes, web identity, container and instance metadata) cannot be reached there, and with the STS, SSO
 * and sign-in clients they bring they were ~95 KB of every bundle. Missing variables are the SDK's own
 * error ("Unable to find environment variable credentials").
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";

/** The clients' default credential provider: the environment's credentials (the chain's first link). */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);

/** As the real package: credentials with an expiry are refreshed. */
export const credentialsWillNeedRefresh = (credentials?: { expiration?: Date }): boolean =>
  credentials?.expiration !== undefined;

/** As the real package: credentials within five minutes of their expiry count as expired. */
export const credentialsTreatedAsExpired = (credentials?: { expiration?: Date }): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
