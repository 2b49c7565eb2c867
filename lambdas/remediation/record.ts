/**
 * The stored remediation record: what would change, then a journal of every write (intent before,
 * outcome after) and the plan's state (`remediations/{orgId}/{planId}.json`, sealed, see seal.ts).
 */
import type { ControlStatus } from "../controls/types.js";
import type { RemediationAction } from "./actions.js";
import { RemediationError } from "./errors.js";

/** Plan ids as plan mode makes them (`rp-20261203T084807Z-82ee9e2f`); the request schema uses the same. */
export const PLAN_ID_PATTERN = /^[A-Za-z0-9-]{8,64}$/;
/** JumpCloud organization ids. */
export const ORG_ID_PATTERN = /^[0-9a-f]{24}$/i;

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

/** Where a plan is in its life; only `planned` can be applied. */
export type PlanStatus = "planned" | "applying" | "applied" | "failed" | "rolling-back" | "rolled-back";

/** What applying one action did: `unknown` when re-reading never settled whether the write landed. */
export type ApplyOutcome = "applied" | "already" | "unknown";

/**
 * What undoing one action did: `restored` (the state before apply is back), `changed-since` (not as
 * apply left it: left alone), `nothing-to-undo` (apply did not change it), `cannot-restore` (it was
 * absent before and no documented request unsets it: left as apply set it), `failed` or `unknown` (the undo
 * write failed, or its outcome stayed unknown).
 */
export type UndoOutcome =
  | "restored"
  | "changed-since"
  | "nothing-to-undo"
  | "cannot-restore"
  | "failed"
  | "unknown";

/** What applying one action did, as `applied.results` lists it. */
export interface ActionResult {
  actionId: string;
  outcome: ApplyOutcome;
  /** Id of a created resource (to delete on rollback). */
  createdId?: string;
}

/** One line of the journal: written before a write (`intent`) and after it (its outcome). */
export interface JournalEntry {
  /** The operation (apply or rollback attempt, numbered from 1) that wrote it. */
  op: number;
  step: "apply" | "undo";
  actionId: string;
  at: string;
  state: "intent" | ApplyOutcome | UndoOutcome;
  createdId?: string;
  /** The whole object as apply left it (created lists and policies, enabled policies): rollback compares it. */
  leftAs?: unknown;
  /** Why, for outcomes other than the plain ones. */
  detail?: string;
}

/** A plan, from creation to rollback. */
export interface RemediationPlan {
  schemaVersion: "2.0";
  planId: string;
  orgId: string;
  status: PlanStatus;
  createdAt: string;
  expiresAt: string;
  requestedBy: string;
  reason?: string;
  /** The 3.1 trusted ranges the plan was made with: apply plans again with them (validated again). */
  trustedRanges?: string[];
  controls: PlannedControl[];
  /** Operations (apply and rollback attempts) started on this plan; each left a create-only marker. */
  operations: number;
  journal: JournalEntry[];
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
    outcomes: { actionId: string; outcome: UndoOutcome; detail?: string }[];
    statusAfter: Record<string, ControlStatus>;
  };
}

/** Who holds an organization's remediation lock. */
export interface RemediationLock {
  planId: string;
  requestedBy: string;
  since: string;
}

/** The outcome of taking the lock: `tag` identifies the very lock object (an ETag, a token). */
export type LockOutcome =
  | { acquired: true; tag?: string }
  | { acquired: false; holder?: RemediationLock; tag?: string };

/** Sealed records, operation markers and the per-organization lock (S3 in AWS, a folder locally). */
export interface RemediationStore {
  /** The stored text of a plan's record, or undefined when there is none. */
  getRecord(orgId: string, planId: string): Promise<string | undefined>;
  putRecord(orgId: string, planId: string, text: string): Promise<void>;
  /** Creates the marker of operation `op` only if none exists; false when it already exists. */
  createMarker(orgId: string, planId: string, op: number, text: string): Promise<boolean>;
  /** Creates the lock only if none exists (a conditional write); returns the holder when it is taken. */
  acquireLock(orgId: string, lock: RemediationLock): Promise<LockOutcome>;
  /** Removes the lock if it is still the one `tag` names (a lock broken and re-taken is left alone). */
  releaseLock(orgId: string, tag?: string): Promise<void>;
  /** Removes a stale lock only if it is still the one `tag` names; true for exactly one of concurrent callers. */
  breakLock(orgId: string, tag: string): Promise<boolean>;
}

/** The holder named in a lock file, if it names one plainly (a lock file is not trusted). */
export function parseHolder(text: string | undefined): RemediationLock | undefined {
  try {
    const { planId, requestedBy, since } = JSON.parse(text ?? "") as Partial<RemediationLock>;
    if (typeof planId === "string" && typeof requestedBy === "string" && typeof since === "string")
      return { planId, requestedBy, since };
  } catch {
    // Unreadable: no holder to name.
  }
  return undefined;
}

/** Refuses an id that could leave its folder or prefix; every storage key goes through it. */
export function checkedIds(orgId: string, planId: string): { orgId: string; planId: string } {
  if (typeof orgId !== "string" || !ORG_ID_PATTERN.test(orgId))
    throw new RemediationError(
      "INVALID_REQUEST",
      `Organization id ${JSON.stringify(orgId)} is not 24 hexadecimal characters`,
    );
  if (typeof planId !== "string" || !PLAN_ID_PATTERN.test(planId))
    throw new RemediationError(
      "INVALID_REQUEST",
      `Plan id ${JSON.stringify(planId)} is not a plan id returned by plan mode`,
    );
  return { orgId, planId };
}

function checkedOrg(orgId: string): string {
  return checkedIds(orgId, "rp-00000000").orgId;
}

/** Object keys of remediation records, beside the findings; built only from validated ids. */
export const remediationKeys = {
  plan: (orgId: string, planId: string) => {
    const ids = checkedIds(orgId, planId);
    return `remediations/${ids.orgId}/${ids.planId}.json`;
  },
  marker: (orgId: string, planId: string, op: number) => {
    const ids = checkedIds(orgId, planId);
    if (!Number.isSafeInteger(op) || op < 1)
      throw new RemediationError("INVALID_REQUEST", `Bad operation number ${op}`);
    return `remediations/${ids.orgId}/${ids.planId}.op-${op}.json`;
  },
  lock: (orgId: string) => `remediations/${checkedOrg(orgId)}/lock.json`,
};

/** Every action of a plan, in order. */
export function planActions(plan: Pick<RemediationPlan, "controls">): RemediationAction[] {
  return plan.controls.flatMap((c) => c.actions);
}
