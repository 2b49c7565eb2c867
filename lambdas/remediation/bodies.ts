/**
 * The request bodies remediation sends, as the API notes (§5, §10.3) correct the guide's snippets:
 * `mfaFactors` as objects, all users targeted, user verification required.
 */
import type { AuthnPolicy } from "../jumpcloud/types.js";

/** Names of what remediation creates, so a second apply finds them instead of creating duplicates. */
export const REMEDIATION_NAMES = {
  allUsersMfaPolicy: "Require MFA - All Users (jc-audit)",
  trustedList: "Trusted corporate networks (jc-audit)",
  outsideTrustedPolicy: "MFA outside trusted networks (jc-audit)",
} as const;

const MFA_OBLIGATIONS = {
  mfa: { required: true },
  mfaFactors: [{ type: "TOTP" as const }, { type: "WEBAUTHN" as const }, { type: "PUSH" as const }],
  userVerification: { requirement: "required" as const },
};

/** 2.1: MFA for every user of the User Portal, without conditions. */
export function allUsersMfaPolicy(): AuthnPolicy {
  return {
    name: REMEDIATION_NAMES.allUsersMfaPolicy,
    description: "Created by jumpcloud-hardening-auditor (hardening guide 2.1)",
    type: "user_portal",
    disabled: false,
    effect: { action: "allow", obligations: MFA_OBLIGATIONS },
    targets: { users: { inclusions: ["ALL"] }, resources: [{ type: "user_portal" }] },
  };
}

/** 3.1: MFA for every user coming from outside the trusted list (`listId` may be `ref:<ref>`). */
export function mfaOutsideTrustedPolicy(listId: string): AuthnPolicy {
  return {
    name: REMEDIATION_NAMES.outsideTrustedPolicy,
    description: "Created by jumpcloud-hardening-auditor (hardening guide 3.1)",
    type: "user_portal",
    disabled: false,
    conditions: { not: { ipAddressIn: [listId] } },
    effect: { action: "allow", obligations: MFA_OBLIGATIONS },
    targets: { users: { inclusions: ["ALL"] }, resources: [{ type: "user_portal" }] },
  };
}
