/** Remediation actions: each one change to one resource, with the value before and after (the plan's rows). */
import type { AuthnPolicy } from "../jumpcloud/types.js";

/** Fields every action carries, for the plan's "resource, field, before → after" view. */
interface ActionBase {
  /** Stable within a plan. */
  id: string;
  controlId: string;
  resource: { type: string; id?: string; name: string };
  field: string;
  description: string;
}

/** Every change a remediation can make (corrected API shapes, notes §10). */
export type RemediationAction = ActionBase &
  (
    | { kind: "admin-mfa"; adminId: string; before: boolean; after: true }
    | { kind: "directory-insights"; orgId: string; before: boolean | null; after: true }
    | {
        kind: "create-ip-list";
        ref: string;
        name: string;
        description: string;
        ips: string[];
        before: null;
        after: "created";
      }
    /** `body` may name lists created earlier in the plan as `ref:<ref>` inside `ipAddressIn`. */
    | { kind: "create-authn-policy"; name: string; body: AuthnPolicy; before: null; after: "created" }
    | { kind: "enable-authn-policy"; policyId: string; before: true; after: false }
    | {
        kind: "system-flag";
        systemId: string;
        flag: "allowMultiFactorAuthentication" | "allowSshPasswordAuthentication" | "allowSshRootLogin";
        before: boolean | null;
        after: boolean;
      }
    | { kind: "radius-mfa"; serverId: string; before: string | null; after: "REQUIRED" }
  );

/** What a control's planner gets besides its data. */
export interface PlanOptions {
  /** Corporate egress ranges for the 3.1 trusted list; there is no default. */
  trustedRanges?: readonly string[];
}

/** What a control's planner returns: the actions, and warnings to show in the plan. */
export interface PlannedRemediation {
  actions: RemediationAction[];
  warnings: string[];
}
