/** `large`: a deterministic, generated organization for paging and performance work (default 100k users, 20k systems). */
import { DEFAULT_SIM_API_KEY, type Scenario } from "../scenario.js";
import { prng } from "./builders.js";
import { hardenedOrg } from "./compliant.js";

/** Fixed id of the large organization. */
export const LARGE_ORG_ID = "5f00000000000000000000e1";

/** Sizes and seed of the generated organization. */
export interface LargeOptions {
  /** @default 100000 */
  users?: number;
  /** @default 20000 */
  systems?: number;
  /** Seed of the generator; the same seed gives the same data. @default 1 */
  seed?: number;
}

/** The `large` preset: hardened, except that about 3% of users have no MFA and 2% of systems no MFA at login. */
export function largeScenario(now: Date, options: LargeOptions = {}): Scenario {
  const users = options.users ?? 100_000;
  const systems = options.systems ?? 20_000;
  const random = prng(options.seed ?? 1);
  const org = hardenedOrg(now, { name: "Initech Global", orgId: LARGE_ORG_ID, users, systems });
  for (const user of org.systemUsers) {
    if (random() < 0.03) {
      Object.assign(user, {
        totp_enabled: false,
        enable_user_portal_multifactor: false,
        mfa: { configured: false, exclusion: false },
      });
      user.mfaEnrollment = {
        overallStatus: "NOT_ENROLLED",
        totpStatus: "NOT_ENROLLED",
        webAuthnStatus: "NOT_ENROLLED",
        pushStatus: "NOT_ENROLLED",
      };
    }
  }
  for (const system of org.systems) {
    if (random() < 0.02) system.allowMultiFactorAuthentication = false;
  }
  return {
    name: "large",
    description: `Generated organization: ${users} users, ${systems} systems (seed ${options.seed ?? 1})`,
    plan: "platform_plus",
    apiKey: DEFAULT_SIM_API_KEY,
    organizations: [org],
  };
}
