/** The stored remediation plan: what would change, and later what did (`remediations/{orgId}/{planId}.json`). */
import type { ControlStatus } from "../controls/types.js";
import type { RemediationAction } from "./actions.js";
import type { ActionResult } from "./executor.js";

/** One control's part of a plan. */
export interface PlannedControl {
  controlId: string;
  title: string;
  statusBefore: ControlStatus;
  automated: "yes" | "opt-in" | "no";
  actions: RemediationAction[];
  warnings: string[];
  /** The guide's steps, for what remediation does not do. */
  manualSteps: string[];
}

/** A plan, from creation to rollback. */
export interface RemediationPlan {
  schemaVersion: "1.0";
  planId: string;
  orgId: string;
  status: "planned" | "applied" | "rolled-back";
  createdAt: string;
  expiresAt: string;
  requestedBy: string;
  reason?: string;
  controls: PlannedControl[];
  applied?: {
    at: string;
    by: string;
    reason?: string;
    results: ActionResult[];
    statusAfter: Record<string, ControlStatus>;
  };
  rolledBack?: {
    at: string;
    by: string;
    reason?: string;
    outcomes: { actionId: string; outcome: string }[];
    statusAfter: Record<string, ControlStatus>;
  };
}

/** Who holds an organization's remediation lock. */
export interface RemediationLock {
  planId: string;
  requestedBy: string;
  since: string;
}

/** Plans and the per-organization lock (S3 in AWS, a folder locally). */
export interface RemediationStore {
  putPlan(plan: RemediationPlan): Promise<void>;
  getPlan(orgId: string, planId: string): Promise<RemediationPlan | undefined>;
  /** Creates the lock only if none exists (a conditional write); returns the holder when it is taken. */
  acquireLock(
    orgId: string,
    lock: RemediationLock,
  ): Promise<{ acquired: true } | { acquired: false; holder?: RemediationLock }>;
  releaseLock(orgId: string): Promise<void>;
}

/** Object keys of remediation records, beside the findings. */
export const remediationKeys = {
  plan: (orgId: string, planId: string) => `remediations/${orgId}/${planId}.json`,
  lock: (orgId: string) => `remediations/${orgId}/lock.json`,
};

/** Every action of a plan, in order. */
export function planActions(plan: RemediationPlan): RemediationAction[] {
  return plan.controls.flatMap((c) => c.actions);
}
