/**
 * `legacy`: the compliant organization as an older tenant/API answers it (notes §12.3, §12.1). Users have
 * `activated`, `suspended`, `totp_enabled`, `enable_user_portal_multifactor` and `mfa {exclusion,
 * configured}` but NO `state` and NO `mfaEnrollment` (a real 2021 `GET /api/systemusers` record), and
 * `GET /api/v2/policies/{id}` carries no `configFields` (whether the real API sends them is unknown), so
 * audits must read field definitions from `GET /api/v2/policytemplates/{id}`. Otherwise like `compliant`:
 * it passes every control.
 */
import { DEFAULT_SIM_API_KEY, type Scenario } from "../scenario.js";
import { hardenedOrg } from "./compliant.js";

/** Fixed id of the legacy organization. */
export const LEGACY_ORG_ID = "5f00000000000000000000b1";

/** The `legacy` preset. */
export function legacyScenario(now: Date): Scenario {
  const org = hardenedOrg(now, { name: "Acme Legacy", orgId: LEGACY_ORG_ID, users: 24, systems: 9 });
  for (const user of org.systemUsers) {
    delete user.state;
    delete user.mfaEnrollment;
    const { exclusion, configured } = user.mfa as { exclusion: boolean; configured: boolean };
    user.mfa = { exclusion, configured };
  }
  return {
    name: "legacy",
    description: "The compliant organization in an older API shape: users without state or mfaEnrollment",
    plan: "platform",
    apiKey: DEFAULT_SIM_API_KEY,
    omitPolicyConfigFields: true,
    organizations: [org],
  };
}
