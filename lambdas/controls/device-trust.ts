/** 3.2 Configure Device Trust: enabled policies that block (or step up) unmanaged and unencrypted devices. */
import {
  type Condition,
  conditionLeaves,
  DEVICE_KINDS,
  describeCondition,
  hiddenIn,
  leafNodes,
  type PolicyView,
  readPolicies,
  unknownKindsDoubt,
} from "./conditional-access.js";
import { defineControl, isolateCheck, type ResourceResult, result } from "./types.js";
import { combineDoubts, type Doubt, worstStatusOf } from "./values.js";

/** The two device conditions of the grammar (notes §5). */
type Requirement = (typeof DEVICE_KINDS)[number];

const REQUIREMENTS: readonly { key: Requirement; check: string; name: string; noun: string }[] = [
  {
    key: "deviceManaged",
    check: "device-managed",
    name: "Managed devices required",
    noun: "managed devices",
  },
  {
    key: "deviceEncrypted",
    check: "device-encrypted",
    name: "Encrypted devices required",
    noun: "encrypted devices",
  },
];

/** More opaque conditions than this are not enumerated (2^n cases); such a policy is left for review. */
const MAX_OTHER_CONDITIONS = 10;

/** Truth of the device conditions, and of the opaque ones (IP lists, countries, unknown kinds) by key. */
interface Env {
  deviceManaged: boolean;
  deviceEncrypted: boolean;
  other: ReadonlyMap<string, boolean>;
}

/** A stable key for a condition whose truth is opaque to device trust. */
function opaqueKey(condition: Condition): string {
  // Conditions come from JSON, so they stringify; a throw here is caught by the check's isolation.
  return JSON.stringify(condition) ?? "";
}

/** Whether a condition tree holds; no condition always does. */
function holds(condition: Condition | undefined, env: Env): boolean {
  if (!condition) return true;
  switch (condition.op) {
    case "not":
      return !holds(condition.child, env);
    case "all":
      return condition.children.every((child) => holds(child, env));
    case "any":
      return condition.children.some((child) => holds(child, env));
    case "deviceManaged":
    case "deviceEncrypted":
      return env[condition.op] === condition.value;
    default:
      return env.other.get(opaqueKey(condition)) ?? false;
  }
}

/** The conditions of a tree whose truth device trust cannot know: IP lists, countries, other kinds. */
function opaqueOf(condition: Condition | undefined): Set<string> {
  return new Set(
    leafNodes(condition).flatMap(({ node }) =>
      node.op === "deviceManaged" || node.op === "deviceEncrypted" ? [] : [opaqueKey(node)],
    ),
  );
}

/** How one policy treats devices failing a requirement, or why that could not be judged. */
type Verdict =
  | { readonly level: "always" | "sometimes" | "no" }
  | { readonly level: "unjudged"; readonly doubt: Doubt };

/**
 * How a policy treats devices failing a requirement: `always` when its condition matches every such device
 * whatever the other conditions (IP, location, the other device condition) and it denies or requires MFA;
 * `sometimes` when it does so only under some of them; `no` otherwise (e.g. it only relaxes managed devices);
 * `unjudged` when a value this depends on was not read.
 */
function enforcement(view: PolicyView, requirement: Requirement): Verdict {
  const mentions = conditionLeaves(view.condition).some((leaf) => leaf.op === requirement);
  const hidden = hiddenIn(view.condition, [requirement]);
  if (!mentions && !hidden) return { level: "no" };
  // A malformed tree that mentions the requirement: JumpCloud's reading of it is unknown.
  if (view.conditionDoubt) return { level: "unjudged", doubt: view.conditionDoubt };
  if (!mentions)
    return { level: "unjudged", doubt: unknownKindsDoubt(view.condition, `around ${requirement}`) };
  if (view.effect.tightens === undefined)
    return {
      level: "unjudged",
      doubt: view.effect.doubt ?? { status: "ERROR", reason: "effect unreadable" },
    };
  if (!view.effect.tightens) return { level: "no" };
  const keys = [...opaqueOf(view.condition)];
  let level: "always" | "sometimes" | "no";
  if (keys.length > MAX_OTHER_CONDITIONS) level = "sometimes";
  else {
    // Every combination of the other device condition (bit 0) and the opaque conditions (bits 1…).
    const cases = 2 ** (keys.length + 1);
    let matched = 0;
    for (let bits = 0; bits < cases; bits++) {
      const otherDevice = (bits & 1) === 1;
      const env: Env = {
        deviceManaged: requirement === "deviceManaged" ? false : otherDevice,
        deviceEncrypted: requirement === "deviceEncrypted" ? false : otherDevice,
        other: new Map(keys.map((key, i) => [key, ((bits >> (i + 1)) & 1) === 1])),
      };
      if (holds(view.condition, env)) matched += 1;
    }
    level = matched === cases ? "always" : matched > 0 ? "sometimes" : "no";
  }
  if (level === "no") return { level };
  const doubt = combineDoubts([view.stateDoubt, level === "always" ? view.targeting.doubt : undefined]);
  return doubt ? { level: "unjudged", doubt } : { level };
}

/** The effect in the guide's words: `deny`, `require MFA`, `allow`. */
function effectOf(view: PolicyView): string {
  return view.effect.text === "allow with MFA" ? "require MFA" : view.effect.text;
}

function enabledOf(view: PolicyView): boolean | null {
  return view.state === "unknown" ? null : view.state === "enabled";
}

/** 3.2 */
export const deviceTrust = defineControl({
  id: "3.2",
  title: "Configure Device Trust",
  section: "Conditional Access",
  level: "L2",
  severity: "medium",
  mappings: { cis: ["4.1"], nist: ["AC-2(11)"], soc2: [] },
  plans: {
    availability: "Platform and Platform Plus (Appendix A: Conditional Access)",
    requires: "conditionalAccess",
  },
  rationale:
    "Verifying endpoint compliance before granting access keeps unmanaged and unencrypted devices away from protected resources.",
  manualSteps: [
    "Security → Conditional Access: create a policy with device conditions",
    "Require the JumpCloud agent (managed device), disk encryption, and an updated OS",
    "Block access from non-compliant devices, or require additional authentication",
  ],
  checks: [
    "Managed devices are required: an enabled conditional-access policy with a `deviceManaged` condition (anywhere in its `not`/`all`/`any` tree) denies access, or requires MFA, for every unmanaged device, whatever its other conditions",
    "Encrypted devices are required: likewise for `deviceEncrypted` and unencrypted devices",
    "The satisfying policy targets all users without group exclusions or user-attribute rules; one scoped to groups, or enforcing only under other conditions (e.g. outside an IP list), is reported for review",
    "The guide's \"require updated OS\" has no condition in the API's policy grammar and is not checked here (device OS-update policies are part of 4.1)",
  ],
  thresholds: {},
  needs: ["authnPolicies"],
  remediation: {
    automated: "no",
    description:
      "By hand, as the guide says: Security → Conditional Access → create a policy with device conditions that blocks (or requires MFA for) devices without the JumpCloud agent or without disk encryption, e.g. `deny` when `not all [deviceManaged: true, deviceEncrypted: true]`, targeting all users; deploy the agent and encryption policies (4.1) first so compliant users are not locked out.",
  },
  audit({ authnPolicies }) {
    const views = readPolicies(authnPolicies);
    const enabledCount = views.filter((view) => view.state === "enabled").length;
    const describe = (view: PolicyView) =>
      `${view.resource.name} (${effectOf(view)}, ${view.targeting.text})`;
    const observe = (view: PolicyView) => ({
      policy: view.resource.name,
      effect: effectOf(view),
      targets: view.targeting.text,
      condition: describeCondition(view.condition),
    });
    const phrases = new Map<string, string>();
    const judge = (requirement: (typeof REQUIREMENTS)[number]): ResourceResult => {
      const resource = { type: "device-trust", id: requirement.key, name: requirement.name };
      const expected = `an enabled policy that denies or requires MFA for every device without ${requirement.key === "deviceManaged" ? "the JumpCloud agent" : "disk encryption"}, targeting all users`;
      const judged = views
        .filter((view) => view.state !== "disabled")
        .map((view) => ({ view, verdict: enforcement(view, requirement.key) }));
      const full = judged.find(
        (j) =>
          j.verdict.level === "always" && j.view.state === "enabled" && j.view.targeting.everyone === true,
      );
      if (full) {
        phrases.set(requirement.check, `${requirement.noun} required by ${describe(full.view)}`);
        return result("PASS", resource, requirement.check, `Required by ${describe(full.view)}`, {
          observed: observe(full.view),
          expected,
        });
      }
      const partial = judged.filter((j) => j.verdict.level === "always" || j.verdict.level === "sometimes");
      const unjudged = judged.flatMap((j) =>
        j.verdict.level === "unjudged" ? [{ view: j.view, doubt: j.verdict.doubt }] : [],
      );
      if (partial.length > 0 || unjudged.length > 0) {
        const parts = [
          ...(partial.length > 0
            ? [
                `Required only in part: ${partial
                  .map(
                    (j) =>
                      `${describe(j.view)}${j.verdict.level === "sometimes" ? ` only when ${describeCondition(j.view.condition)}` : ""}`,
                  )
                  .join("; ")}; check that the users and situations left out do not need ${requirement.noun}`,
              ]
            : []),
          ...(unjudged.length > 0
            ? [
                `Could not judge ${unjudged.map((u) => `${u.view.resource.name} (${u.doubt.reason})`).join("; ")}; check ${unjudged.length === 1 ? "it" : "them"} in Security → Conditional Access`,
              ]
            : []),
        ];
        phrases.set(
          requirement.check,
          partial.length > 0
            ? `${requirement.noun} required only in part by ${partial.map((j) => describe(j.view)).join(", ")}${unjudged.length > 0 ? ` (not judged: ${unjudged.map((u) => u.view.resource.name).join(", ")})` : ""}`
            : `${requirement.noun} not known (not judged: ${unjudged.map((u) => u.view.resource.name).join(", ")})`,
        );
        const status = worstStatusOf(unjudged.map((u) => u.doubt));
        return result(status, resource, requirement.check, parts.join("; "), {
          observed: [
            ...partial.map((j) => observe(j.view)),
            ...unjudged.map((u) => ({ ...observe(u.view), notJudged: u.doubt.reason })),
          ],
          expected,
        });
      }
      const mentions = judged
        .map((j) => j.view)
        .filter((view) => conditionLeaves(view.condition).some((leaf) => leaf.op === requirement.key));
      phrases.set(requirement.check, `${requirement.noun} not required`);
      return result(
        "FAIL",
        resource,
        requirement.check,
        mentions.length > 0
          ? `No enabled policy blocks or steps up devices that are not ${requirement.noun.replace(" devices", "")}; ${mentions.map((view) => view.resource.name).join(", ")} use${mentions.length === 1 ? "s" : ""} ${requirement.key} without doing so`
          : `No enabled policy has a ${requirement.key} condition`,
        { observed: mentions.length > 0 ? mentions.map(observe) : null, expected },
      );
    };
    const results = REQUIREMENTS.flatMap((requirement) =>
      isolateCheck(requirement.check, () => [judge(requirement)]),
    );
    const summaryParts = REQUIREMENTS.map(
      (requirement) =>
        phrases.get(requirement.check) ?? `${requirement.noun} not evaluated (the check failed)`,
    );
    const devicePolicies = views.filter(
      (view) =>
        conditionLeaves(view.condition).some(
          (leaf) => leaf.op === "deviceManaged" || leaf.op === "deviceEncrypted",
        ) || hiddenIn(view.condition, DEVICE_KINDS),
    );
    return {
      results,
      summary: `Of ${enabledCount} enabled conditional-access policies: ${summaryParts.join("; ")} (expected an enabled policy denying or requiring MFA for unmanaged and unencrypted devices, for all users).`,
      evidence: {
        devicePolicies: devicePolicies.map((view) => ({
          name: view.resource.name,
          enabled: enabledOf(view),
          effect: effectOf(view),
          targets: view.targeting.text,
          condition: describeCondition(view.condition),
        })),
        notChecked: "Minimum OS version: the conditional-access condition grammar has no OS condition.",
      },
    };
  },
});
