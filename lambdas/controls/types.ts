/** The control model: one hardening-guide control = one typed, self-describing object. */
import type { DatasetName, PlanFeature, Snapshot } from "../collect/snapshot.js";
import type { PlannedRemediation, PlanOptions } from "../remediation/actions.js";

/** Guide profile level. */
export type Level = "L1" | "L2" | "L3";
/** How bad a failure of the control is. */
export type Severity = "critical" | "high" | "medium" | "low";
/** Status of a control. */
export type ControlStatus = "PASS" | "FAIL" | "MANUAL" | "ERROR" | "NOT_APPLICABLE" | "MUTED";
/** Status of one evaluated resource; ERROR when a check met data it could not judge (the other checks stand). */
export type ResultStatus = "PASS" | "FAIL" | "MANUAL" | "MUTED" | "ERROR";

/** Framework requirements the guide maps a control to (its tables and section 6). */
export interface FrameworkMappings {
  /** CIS Controls v8 safeguards. */
  readonly cis: readonly string[];
  /** NIST SP 800-53 Rev 5 controls. */
  readonly nist: readonly string[];
  /** SOC 2 Trust Services Criteria. */
  readonly soc2: readonly string[];
}

/** A tunable limit with its default and where the default comes from. */
export interface Threshold<T extends number | boolean | string> {
  readonly default: T;
  readonly description: string;
  /** Where the default comes from (the guide, a standard, or "project default" with why). */
  readonly source: string;
  readonly min?: number;
  readonly max?: number;
}

/** A measurable value, so regressions can tell "worse" (e.g. more full admins). */
export interface Measure {
  readonly value: number;
  readonly unit: string;
  readonly worseWhen: "higher" | "lower";
}

/** The verdict on one resource for one check. */
export interface ResourceResult {
  resourceType: string;
  resourceId: string;
  resourceName: string;
  /** Short stable name of the check, so a resource can carry several (e.g. `mfa`, `ssh-root-login`). */
  check: string;
  status: ResultStatus;
  message: string;
  observed?: unknown;
  expected?: unknown;
  measure?: Measure;
  /** Set when an accepted-risk exception turned a FAIL into MUTED. */
  mutedBy?: { reason: string; owner: string; expires: string };
}

/** What `audit()` returns. Without `status`, the control's status is the worst of its results. */
export interface AuditOutcome {
  results: ResourceResult[];
  /** One sentence with the observed and expected values. */
  summary: string;
  /** Overrides the status derived from results: NOT_APPLICABLE (nothing to check) or MANUAL. */
  status?: "NOT_APPLICABLE" | "MANUAL";
  /** Facts worth keeping with the finding (counts, lists for review). */
  evidence?: Record<string, unknown>;
}

/** Values of a control's thresholds, by name. */
export type ThresholdValues = Record<string, number | boolean | string>;

/** Threshold definitions matching a value type. */
export type ThresholdDefinitions<T extends ThresholdValues> = { readonly [K in keyof T]: Threshold<T[K]> };

/** One control of the hardening guide. */
export interface Control<
  N extends DatasetName = DatasetName,
  T extends ThresholdValues = ThresholdValues,
  O extends DatasetName = never,
> {
  /** Guide section id, e.g. `2.1`. */
  readonly id: string;
  readonly title: string;
  /** Guide chapter, e.g. "Multi-Factor Authentication". */
  readonly section: string;
  readonly level: Level;
  readonly severity: Severity;
  readonly mappings: FrameworkMappings;
  /** Set when the guide gives no level or mapping, saying so. */
  readonly metadataNote?: string;
  /** Plan availability (Appendix A), and the plan feature it needs, if any. */
  readonly plans: { readonly availability: string; readonly requires?: PlanFeature };
  readonly rationale: string;
  /** The guide's manual (ClickOps) steps. */
  readonly manualSteps: readonly string[];
  readonly thresholds: ThresholdDefinitions<T>;
  /** Datasets the audit reads; if any cannot be read the control is ERROR (or NOT_APPLICABLE on plan gating). */
  readonly needs: readonly N[];
  /**
   * Plan-gated datasets the control can judge without (e.g. 2.1 without authentication policies on
   * Free/Core): absent from `data` when the plan lacks the feature (declared, or JumpCloud answered 402);
   * any other failure to read them is still ERROR.
   */
  readonly optionalNeeds?: readonly O[];
  /** What is checked, for the README and `jc-audit controls`. */
  readonly checks: readonly string[];
  /** Whether remediation can be automated: `yes`, `opt-in` (only when named, with a warning) or `no`. */
  readonly remediation: {
    readonly automated: "yes" | "opt-in" | "no";
    readonly description: string;
    /** Computes the changes that would fix the findings (pure, like `audit`); absent: manual steps only. */
    plan?(data: Pick<Snapshot, N> & Partial<Pick<Snapshot, O>>, options: PlanOptions): PlannedRemediation;
  };
  /** Pure judgment over collected data: no I/O, no clock but `now`, no environment. */
  audit(data: Pick<Snapshot, N> & Partial<Pick<Snapshot, O>>, thresholds: T, now: Date): AuditOutcome;
}

/** A control of any datasets and thresholds (for the registry). */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds controls of every threshold shape
export type AnyControl = Control<any, any, any>;

/** Declares a control with its types inferred. */
export function defineControl<
  N extends DatasetName,
  T extends ThresholdValues,
  O extends DatasetName = never,
>(control: Control<N, T, O>): Control<N, T, O> {
  return control;
}

/** Builds a result row. */
export function result(
  status: ResultStatus,
  resource: { type: string; id: string; name: string },
  check: string,
  message: string,
  extra: Pick<ResourceResult, "observed" | "expected" | "measure"> = {},
): ResourceResult {
  return {
    resourceType: resource.type,
    resourceId: resource.id,
    resourceName: resource.name,
    check,
    status,
    message,
    ...extra,
  };
}

/** Resource type of a result that stands for a whole check that could not be evaluated. */
export const CHECK_RESOURCE_TYPE = "check";

/** One ERROR result saying why a whole check could not be evaluated; the control's other checks stand. */
export function checkError(check: string, reason: string): ResourceResult {
  return result("ERROR", { type: CHECK_RESOURCE_TYPE, id: check, name: check }, check, reason);
}

/**
 * Runs one check in isolation: if it throws (data it could not judge, a bug), its results are replaced by
 * one ERROR result naming the check and the reason, so an unrelated FAIL is never hidden.
 */
export function isolateCheck(check: string, run: () => ResourceResult[]): ResourceResult[] {
  try {
    return run();
  } catch (error) {
    return [
      checkError(
        check,
        `Check "${check}" could not be evaluated: ${(error as Error)?.message ?? String(error)}`,
      ),
    ];
  }
}
