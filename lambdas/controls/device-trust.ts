/** 3.2 Configure Device Trust: enabled policies that block (or step up) unmanaged and unencrypted devices. */
import type { AuthnPolicy } from "../jumpcloud/types.js";
import { describeCondition, policyResource, targetingOf } from "./conditional-access.js";
import { defineControl, type ResourceResult, result } from "./types.js";

/** The two device conditions of the grammar (notes §5). */
type Requirement = "deviceManaged" | "deviceEncrypted";

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

/** Truth of the non-device conditions (IP lists, countries), by their JSON. */
interface Env {
  deviceManaged: boolean;
  deviceEncrypted: boolean;
  other: ReadonlyMap<string, boolean>;
}

function isNode(node: unknown): node is Record<string, unknown> {
  return typeof node === "object" && node !== null && !Array.isArray(node);
}

/** Whether a condition tree holds; an empty one (`{}`) always does. */
function holds(node: unknown, env: Env): boolean {
  if (!isNode(node)) return true;
  return Object.entries(node).every(([key, value]) => {
    if (key === "not") return !holds(value, env);
    if (key === "all") return Array.isArray(value) && value.every((child) => holds(child, env));
    if (key === "any") return Array.isArray(value) && value.some((child) => holds(child, env));
    if (key === "deviceManaged" || key === "deviceEncrypted") return env[key] === value;
    return env.other.get(JSON.stringify({ [key]: value })) ?? false;
  });
}

/** Which device conditions a tree mentions, and its other (opaque) conditions. */
function leavesOf(node: unknown, out = { device: new Set<string>(), other: new Set<string>() }) {
  if (!isNode(node)) return out;
  for (const [key, value] of Object.entries(node)) {
    if (key === "not") leavesOf(value, out);
    else if ((key === "all" || key === "any") && Array.isArray(value))
      for (const child of value) leavesOf(child, out);
    else if (key === "deviceManaged" || key === "deviceEncrypted") out.device.add(key);
    else out.other.add(JSON.stringify({ [key]: value }));
  }
  return out;
}

/**
 * How a policy treats devices failing a requirement: `always` when its condition matches every such device
 * whatever the other conditions (IP, location, the other device condition) and it denies or requires MFA;
 * `sometimes` when it does so only under some of them; `no` otherwise (e.g. it only relaxes managed devices).
 */
function enforcement(policy: AuthnPolicy, requirement: Requirement): "always" | "sometimes" | "no" {
  const { device, other } = leavesOf(policy.conditions);
  if (!device.has(requirement)) return "no";
  const action = policy.effect?.action;
  const tightens =
    action === "deny" || (action === "allow" && policy.effect?.obligations?.mfa?.required === true);
  if (!tightens) return "no";
  if (other.size > MAX_OTHER_CONDITIONS) return "sometimes";
  const keys = [...other];
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
    if (holds(policy.conditions, env)) matched += 1;
  }
  return matched === cases ? "always" : matched > 0 ? "sometimes" : "no";
}

function effectOf(policy: AuthnPolicy): string {
  const action = policy.effect?.action ?? "unknown";
  return action === "allow" && policy.effect?.obligations?.mfa?.required === true ? "require MFA" : action;
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
    const enabled = authnPolicies.filter((policy) => policy.disabled !== true);
    const results: ResourceResult[] = [];
    const phrases: string[] = [];
    for (const requirement of REQUIREMENTS) {
      const resource = { type: "device-trust", id: requirement.key, name: requirement.name };
      const judged = enabled.map((policy) => ({
        policy,
        level: enforcement(policy, requirement.key),
        targeting: targetingOf(policy),
      }));
      const describe = ({ policy, targeting }: (typeof judged)[number]) =>
        `${policyResource(policy).name} (${effectOf(policy)}, ${targeting.text})`;
      const observe = ({ policy, targeting }: (typeof judged)[number]) => ({
        policy: policyResource(policy).name,
        effect: effectOf(policy),
        targets: targeting.text,
        condition: describeCondition(policy.conditions),
      });
      const expected = `an enabled policy that denies or requires MFA for every device without ${requirement.key === "deviceManaged" ? "the JumpCloud agent" : "disk encryption"}, targeting all users`;
      const full = judged.find((j) => j.level === "always" && j.targeting.everyone);
      const partial = judged.filter(
        (j) => j.level !== "no" && !(j.level === "always" && j.targeting.everyone),
      );
      const mentions = enabled.filter((policy) => leavesOf(policy.conditions).device.has(requirement.key));
      if (full) {
        phrases.push(`${requirement.noun} required by ${describe(full)}`);
        results.push(
          result("PASS", resource, requirement.check, `Required by ${describe(full)}`, {
            observed: observe(full),
            expected,
          }),
        );
      } else if (partial.length > 0) {
        phrases.push(`${requirement.noun} required only in part by ${partial.map(describe).join(", ")}`);
        results.push(
          result(
            "MANUAL",
            resource,
            requirement.check,
            `Required only in part: ${partial
              .map(
                (j) =>
                  `${describe(j)}${j.level === "sometimes" ? ` only when ${describeCondition(j.policy.conditions)}` : ""}`,
              )
              .join("; ")}; check that the users and situations left out do not need ${requirement.noun}`,
            { observed: partial.map(observe), expected },
          ),
        );
      } else {
        phrases.push(`${requirement.noun} not required`);
        results.push(
          result(
            "FAIL",
            resource,
            requirement.check,
            mentions.length > 0
              ? `No enabled policy blocks or steps up devices that are not ${requirement.noun.replace(" devices", "")}; ${mentions.map((p) => policyResource(p).name).join(", ")} use${mentions.length === 1 ? "s" : ""} ${requirement.key} without doing so`
              : `No enabled policy has a ${requirement.key} condition`,
            {
              observed:
                mentions.length > 0
                  ? mentions.map((p) => observe({ policy: p, level: "no", targeting: targetingOf(p) }))
                  : null,
              expected,
            },
          ),
        );
      }
    }
    const devicePolicies = authnPolicies.filter((policy) => leavesOf(policy.conditions).device.size > 0);
    return {
      results,
      summary: `Of ${enabled.length} enabled conditional-access policies: ${phrases.join("; ")} (expected an enabled policy denying or requiring MFA for unmanaged and unencrypted devices, for all users).`,
      evidence: {
        devicePolicies: devicePolicies.map((policy) => ({
          name: policyResource(policy).name,
          enabled: policy.disabled !== true,
          effect: effectOf(policy),
          targets: targetingOf(policy).text,
          condition: describeCondition(policy.conditions),
        })),
        notChecked:
          "Minimum OS version: the conditional-access condition grammar has no OS condition (notes §5).",
      },
    };
  },
});
