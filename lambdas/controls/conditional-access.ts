/** 3.1 Configure Conditional Access Policies: a network/location policy, and sane trusted IP lists. */
import ipaddr from "ipaddr.js";
import type { AuthnPolicy, IpList } from "../jumpcloud/types.js";
import { mfaOutsideTrustedPolicy, REMEDIATION_NAMES } from "../remediation/bodies.js";
import { RemediationError } from "../remediation/errors.js";
import { defineControl, type ResourceResult, result } from "./types.js";

/** A leaf of a policy's condition tree (notes §5 grammar), with whether an odd number of `not`s wraps it. */
export interface ConditionLeaf {
  readonly kind: "deviceEncrypted" | "deviceManaged" | "ipAddressIn" | "locationIn";
  readonly value: unknown;
  readonly negated: boolean;
}

const LEAF_KINDS = ["deviceEncrypted", "deviceManaged", "ipAddressIn", "locationIn"] as const;

/** Every leaf of a condition tree, through `not`, `all` and `any`, at any depth. */
export function conditionLeaves(node: unknown, negated = false): ConditionLeaf[] {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return [];
  const leaves: ConditionLeaf[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === "not") leaves.push(...conditionLeaves(value, !negated));
    else if ((key === "all" || key === "any") && Array.isArray(value))
      for (const child of value) leaves.push(...conditionLeaves(child, negated));
    else if ((LEAF_KINDS as readonly string[]).includes(key))
      leaves.push({ kind: key as ConditionLeaf["kind"], value, negated });
  }
  return leaves;
}

/** A condition tree in words, e.g. `not(ipAddressIn [Corporate egress])`; IP list ids become names. */
export function describeCondition(node: unknown, listName: (id: string) => string = (id) => id): string {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return "(none)";
  const parts = Object.entries(node).map(([key, value]) => {
    if (key === "not") return `not(${describeCondition(value, listName)})`;
    if ((key === "all" || key === "any") && Array.isArray(value))
      return `${key}(${value.map((child) => describeCondition(child, listName)).join(", ")})`;
    if (key === "ipAddressIn" && Array.isArray(value))
      return `ipAddressIn [${value.map((id) => listName(String(id))).join(", ")}]`;
    if (key === "locationIn") return `locationIn [${countriesOf(value).join(", ")}]`;
    return `${key}: ${JSON.stringify(value)}`;
  });
  return parts.length === 0 ? "(none)" : parts.join(" and ");
}

/** Names a conditional-access policy for results. */
export function policyResource(policy: AuthnPolicy): { type: string; id: string; name: string } {
  const id = policy.id ?? policy.name ?? "(no id)";
  return { type: "authn-policy", id, name: policy.name ?? id };
}

/** Who a policy applies to (notes §5 `targets`), and whether that is every user without exception. */
export function targetingOf(policy: AuthnPolicy): { everyone: boolean; text: string } {
  const users = policy.targets?.users?.inclusions ?? [];
  const allUsers = users.includes("ALL");
  const groups = policy.targets?.userGroups?.inclusions ?? [];
  const excluded = policy.targets?.userGroups?.exclusions ?? [];
  const attributes =
    policy.targets?.userAttributes !== undefined && Object.keys(policy.targets.userAttributes).length > 0;
  const included = [
    ...(allUsers ? ["all users"] : users.length > 0 ? [`users ${users.join(", ")}`] : []),
    ...(!allUsers && groups.length > 0 ? [`user groups ${groups.join(", ")}`] : []),
  ];
  const text = [
    included.length > 0 ? included.join(" and ") : "no users",
    ...(excluded.length > 0 ? [`except user groups ${excluded.join(", ")}`] : []),
    ...(attributes ? ["narrowed by user-attribute rules"] : []),
  ].join(" ");
  return { everyone: allUsers && excluded.length === 0 && !attributes, text };
}

function countriesOf(value: unknown): string[] {
  const countries = (value as { countries?: unknown } | null)?.countries;
  return Array.isArray(countries) ? countries.map(String) : [];
}

/** An IP-list entry as a span of addresses. */
interface Span {
  readonly bits: 32 | 128;
  readonly first: bigint;
  readonly last: bigint;
}

function toBig(address: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  return address.toByteArray().reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
}

function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!text.includes("%") && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return undefined;
}

/** Parses a single address, a CIDR or a range "a - b" (notes §6); undefined when it is none of those. */
function parseEntry(entry: string): Span | undefined {
  const text = entry.trim();
  const range = text.split("-").map((part) => part.trim());
  if (range.length === 2) {
    const [a, b] = range.map((part) => parseAddress(part ?? ""));
    if (!a || !b || a.kind() !== b.kind()) return undefined;
    const span: Span = { bits: a.kind() === "ipv4" ? 32 : 128, first: toBig(a), last: toBig(b) };
    return span.first <= span.last ? span : undefined;
  }
  if (range.length !== 1) return undefined;
  const [addressText = "", prefixText, ...rest] = text.split("/");
  const address = parseAddress(addressText);
  if (!address || rest.length > 0) return undefined;
  const bits = address.kind() === "ipv4" ? 32 : 128;
  const base = toBig(address);
  if (prefixText === undefined) return { bits, first: base, last: base };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return undefined;
  const size = 1n << BigInt(bits - Number(prefixText));
  const first = base - (base % size);
  return { bits, first, last: first + size - 1n };
}

/**
 * Addresses that are never the public source address JumpCloud sees (IANA special-purpose registries).
 * Documentation ranges (RFC 5737, RFC 3849) are deliberately absent: examples and the simulator use them
 * to stand for public egress addresses.
 */
const NON_PUBLIC: readonly [string, string][] = [
  ["0.0.0.0/8", "“this network” (RFC 1122)"],
  ["10.0.0.0/8", "private (RFC 1918)"],
  ["100.64.0.0/10", "shared carrier-grade NAT (RFC 6598)"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local (RFC 3927)"],
  ["172.16.0.0/12", "private (RFC 1918)"],
  ["192.168.0.0/16", "private (RFC 1918)"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved (RFC 1112) and broadcast"],
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["fc00::/7", "unique-local (RFC 4193)"],
  ["fe80::/10", "link-local"],
  ["fec0::/10", "site-local (deprecated, RFC 3879)"],
  ["ff00::/8", "multicast"],
];
const NON_PUBLIC_SPANS = NON_PUBLIC.map(([cidr, name]) => ({ cidr, name, span: parseEntry(cidr) as Span }));

function log2(count: bigint): number {
  const exact = count.toString(2).length - 1;
  return count === 1n << BigInt(exact) ? exact : Math.log2(Number(count));
}

/** Address count in words: exact below 2^53, a power of two above. */
function formatCount(count: bigint): string {
  return count <= BigInt(Number.MAX_SAFE_INTEGER)
    ? `${Number(count).toLocaleString("en-US")} address${count === 1n ? "" : "es"}`
    : `about 2^${Math.round(log2(count))} addresses`;
}

/** Names for a one-sentence summary: the first `max`, then how many more. */
function listOf(names: readonly string[], max = 5): string {
  return names.length <= max
    ? names.join(", ")
    : `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

/**
 * Why an entry cannot be a trusted corporate range: not parseable, not public, or broader than the
 * limits (3.1's thresholds); undefined when it can. Used to refuse bad ranges before remediation.
 */
export function trustedRangeProblem(
  entry: string,
  minIpv4PrefixLength = 16,
  minIpv6PrefixLength = 48,
): string | undefined {
  const span = parseEntry(entry);
  if (!span) return `"${entry}" is not an IP address, CIDR or "a - b" range`;
  const overlap = NON_PUBLIC_SPANS.find(
    ({ span: s }) => s.bits === span.bits && span.first <= s.last && s.first <= span.last,
  );
  if (overlap)
    return `"${entry}" overlaps ${overlap.cidr}, ${overlap.name}: conditional access sees public source addresses`;
  const prefix = span.bits === 32 ? minIpv4PrefixLength : minIpv6PrefixLength;
  if (span.last - span.first + 1n > 1n << BigInt(span.bits - prefix))
    return `"${entry}" is broader than a /${prefix}`;
  return undefined;
}

/** How a policy uses an IP list: `trusted` unless the list only tightens access (deny or MFA inside it). */
function trusts(policy: AuthnPolicy, negated: boolean): boolean {
  if (negated) return true;
  const action = policy.effect?.action;
  return !(action === "deny" || (action === "allow" && policy.effect?.obligations?.mfa?.required === true));
}

/** 3.1 */
export const conditionalAccess = defineControl({
  id: "3.1",
  title: "Configure Conditional Access Policies",
  section: "Conditional Access",
  level: "L2",
  severity: "high",
  mappings: { cis: ["6.4"], nist: ["AC-2(11)"], soc2: ["CC6.6"] },
  plans: {
    availability: "Platform and Platform Plus (Appendix A: Conditional Access)",
    requires: "conditionalAccess",
  },
  rationale:
    "Context-aware access enables Zero Trust: block risky locations or devices and adjust MFA requirements dynamically.",
  manualSteps: [
    "Security → Conditional Access → Create New Policy: define trusted/untrusted locations, device trust and user groups",
    "Actions: allow from trusted locations, require MFA from unknown locations, block access from blocked countries; set policy priority",
  ],
  checks: [
    "At least one enabled conditional-access policy has a network or location condition (`ipAddressIn` or `locationIn`, anywhere in its `not`/`all`/`any` condition tree)",
    "Every IP list those policies reference exists (a missing list id is a dangling reference)",
    "No entry of a trusted IP list (one the policies use to relax access, e.g. `not ipAddressIn` in an MFA policy) covers more addresses than a /16 (IPv4) or /48 (IPv6) prefix by default; single addresses, CIDRs and `a - b` ranges are judged by address count",
    "Trusted IP lists contain no private or reserved range (RFC 1918, CGNAT, loopback, link-local, unique-local…): conditional access sees public source addresses, so such entries are flagged for review",
  ],
  thresholds: {
    minIpv4PrefixLength: {
      default: 16,
      description:
        "Broadest IPv4 entry a trusted IP list may hold, as a prefix length; a range counts as the prefix of equal size",
      source:
        "project default: the guide gives no limit; a /16 (65,536 addresses) already exceeds the egress ranges of an organization's offices and VPNs, so anything broader trusts other people's networks",
      min: 0,
      max: 32,
    },
    minIpv6PrefixLength: {
      default: 48,
      description:
        "Broadest IPv6 entry a trusted IP list may hold, as a prefix length; a range counts as the prefix of equal size",
      source:
        "project default: the guide gives no limit; /48 is the largest block normally assigned to one end site (RFC 3177, relaxed toward smaller assignments by RFC 6177), so a broader prefix spans other organizations",
      min: 0,
      max: 128,
    },
  },
  needs: ["authnPolicies", "ipLists"],
  remediation: {
    automated: "yes",
    description:
      "Creates the guide's trusted IP list (POST /api/v2/iplists) from the operator's public egress ranges (never the guide's private example ranges) and an enabled user-portal policy requiring MFA outside it (POST /api/v2/authn/policies, `conditions: {not: {ipAddressIn: [list]}}`, `mfaFactors` as objects, targeting all users); broad, private or missing lists are only reported and fixed by hand in Security → Conditional Access → IP Lists.",
    plan({ authnPolicies }, { trustedRanges }) {
      const existing = authnPolicies.filter(
        (p) =>
          p.disabled !== true &&
          conditionLeaves(p.conditions).some((l) => l.kind === "ipAddressIn" || l.kind === "locationIn"),
      );
      if (existing.length > 0) {
        return {
          actions: [],
          warnings: [
            `Enabled conditional-access policies exist (${existing.map((p) => p.name ?? p.id).join(", ")}); broad, private or dangling IP-list entries are fixed by hand in Security → Conditional Access → IP Lists.`,
          ],
        };
      }
      if (!trustedRanges || trustedRanges.length === 0) {
        throw new RemediationError(
          "NO_TRUSTED_RANGES",
          "3.1 needs your corporate egress ranges (--trusted-ranges 203.0.113.0/24,...; TRUSTED_RANGES in AWS): there is no default, because the guide's example trusts every private range, which is unsafe",
        );
      }
      const problems = trustedRanges
        .map((range) => trustedRangeProblem(range))
        .filter((p): p is string => p !== undefined);
      if (problems.length > 0)
        throw new RemediationError("INVALID_REQUEST", `Trusted ranges refused: ${problems.join("; ")}`);
      return {
        actions: [
          {
            kind: "create-ip-list",
            id: "3.1:ip_list:create",
            controlId: "3.1",
            resource: { type: "ip_list", name: REMEDIATION_NAMES.trustedList },
            field: "ip list",
            ref: "trusted",
            name: REMEDIATION_NAMES.trustedList,
            description: `Create the trusted IP list "${REMEDIATION_NAMES.trustedList}" with ${trustedRanges.join(", ")}`,
            ips: [...trustedRanges],
            before: null,
            after: "created",
          },
          {
            kind: "create-authn-policy",
            id: "3.1:authn_policy:create",
            controlId: "3.1",
            resource: { type: "authn_policy", name: REMEDIATION_NAMES.outsideTrustedPolicy },
            field: "policy",
            name: REMEDIATION_NAMES.outsideTrustedPolicy,
            body: mfaOutsideTrustedPolicy("ref:trusted"),
            before: null,
            after: "created",
            description: `Create the policy "${REMEDIATION_NAMES.outsideTrustedPolicy}" requiring MFA for all users outside the trusted list`,
          },
        ],
        warnings: [
          "Users outside the trusted networks will be asked for MFA at every User Portal login from then on.",
        ],
      };
    },
  },
  audit({ authnPolicies, ipLists }, thresholds) {
    const minPrefix = { 32: thresholds.minIpv4PrefixLength, 128: thresholds.minIpv6PrefixLength } as const;
    const listsById = new Map(ipLists.flatMap((list) => (list.id ? [[list.id, list] as const] : [])));
    const listName = (id: string) => listsById.get(id)?.name ?? id;
    const results: ResourceResult[] = [];
    const enabled = authnPolicies.filter((policy) => policy.disabled !== true);
    const isNetworkPolicy = (policy: AuthnPolicy) =>
      conditionLeaves(policy.conditions).some(
        (leaf) => leaf.kind === "ipAddressIn" || leaf.kind === "locationIn",
      );
    const networkPolicies = enabled.filter(isNetworkPolicy);

    if (networkPolicies.length === 0) {
      results.push(
        result(
          "FAIL",
          { type: "conditional-access", id: "network-policy", name: "Conditional Access" },
          "network-policy",
          `No enabled policy has a network or location condition (${enabled.length} enabled, ${authnPolicies.length} in all)`,
          { observed: 0, expected: "at least one enabled policy with ipAddressIn or locationIn" },
        ),
      );
    }

    // Which lists the enabled network policies use, and how.
    const trusted = new Map<string, Set<string>>(); // list id → names of the policies that trust it
    const tightening = new Set<string>();
    for (const policy of networkPolicies) {
      const leaves = conditionLeaves(policy.conditions);
      const resource = policyResource(policy);
      const lists = leaves.filter((leaf) => leaf.kind === "ipAddressIn");
      const countries = leaves
        .filter((leaf) => leaf.kind === "locationIn")
        .flatMap((leaf) => countriesOf(leaf.value));
      const condition = describeCondition(policy.conditions, listName);
      const effect = `${policy.effect?.action ?? "unknown"}${policy.effect?.obligations?.mfa?.required === true ? " with MFA" : ""}`;
      results.push(
        result(
          "PASS",
          resource,
          "network-policy",
          `Enabled ${policy.type ?? "user_portal"} policy (${effect}, ${targetingOf(policy).text}) with condition ${condition}`,
          {
            observed: { condition, effect, ...(countries.length > 0 ? { countries } : {}) },
          },
        ),
      );
      const seen = new Set<string>();
      for (const leaf of lists) {
        const ids = Array.isArray(leaf.value) ? leaf.value.map(String) : [];
        for (const id of ids) {
          if (!listsById.has(id)) {
            if (seen.has(id)) continue;
            seen.add(id);
            results.push(
              result(
                "FAIL",
                {
                  type: "authn-policy",
                  id: `${resource.id}:${id}`,
                  name: `${resource.name} → IP list ${id}`,
                },
                "ip-list-reference",
                `Policy ${resource.name} references IP list ${id}, which does not exist (dangling reference: the condition never matches as intended)`,
                {
                  observed: { listId: id, exists: false },
                  expected: { exists: true },
                },
              ),
            );
          } else if (trusts(policy, leaf.negated))
            trusted.set(id, (trusted.get(id) ?? new Set()).add(resource.name));
          else tightening.add(id);
        }
      }
    }

    const tooBroad: string[] = [];
    const nonPublic: string[] = [];
    const unreadable: string[] = [];
    for (const [id, users] of trusted) {
      const usedBy = [...users];
      const list = listsById.get(id) as IpList;
      const name = list.name ?? id;
      const entries = [...new Set(list.ips ?? [])];
      const before = results.length;
      const broadest: { IPv4?: number; IPv6?: number } = {};
      for (const entry of entries) {
        const resource = { type: "ip-list-entry", id: `${id}:${entry}`, name: `${entry} in ${name}` };
        const span = parseEntry(entry);
        if (!span) {
          unreadable.push(resource.name);
          results.push(
            result(
              "MANUAL",
              resource,
              "entry-format",
              `Entry "${entry}" of trusted list ${name} is not an address, CIDR or "a - b" range this audit can read; check it in Security → Conditional Access → IP Lists`,
              {
                observed: entry,
                expected: "an IPv4/IPv6 address, CIDR, or range a - b",
              },
            ),
          );
          continue;
        }
        const count = span.last - span.first + 1n;
        const prefix = Math.round((span.bits - log2(count)) * 100) / 100;
        const limit = minPrefix[span.bits];
        // An entry wholly inside special-purpose space is reviewed as such; any other is judged by its size.
        const block = NON_PUBLIC_SPANS.find(
          (b) => b.span.bits === span.bits && b.span.first <= span.first && span.last <= b.span.last,
        );
        if (block) {
          nonPublic.push(resource.name);
          results.push(
            result(
              "MANUAL",
              resource,
              "non-public-range",
              `${entry} in trusted list ${name} is ${block.name} address space (${block.cidr}): conditional access evaluates the public source address of a request, so this entry never matches office traffic, and wherever it does match (a proxy or path exposing internal addresses) it trusts every network using the same range, such as homes and hotels; the guide's own example list (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) is unsafe for this reason. Replace it with your public egress addresses`,
              { observed: { entry, range: block.cidr }, expected: "public egress addresses only" },
            ),
          );
        } else if (count > 1n << BigInt(span.bits - limit)) {
          tooBroad.push(resource.name);
          results.push(
            result(
              "FAIL",
              resource,
              "trusted-range-breadth",
              `${entry} in trusted list ${name} (used by ${usedBy.join(", ")}) covers ${formatCount(count)}, like a /${prefix}; expected /${limit} or narrower (at most ${formatCount(1n << BigInt(span.bits - limit))})`,
              {
                observed: { entry, prefixLength: prefix, addresses: Number(count) },
                expected: { minPrefixLength: limit },
                measure: { value: prefix, unit: "prefix length (bits)", worseWhen: "lower" },
              },
            ),
          );
        } else {
          const family = span.bits === 32 ? "IPv4" : "IPv6";
          broadest[family] = Math.min(broadest[family] ?? span.bits, prefix);
        }
      }
      if (results.length === before) {
        results.push(
          result(
            "PASS",
            { type: "ip-list", id, name },
            "trusted-list",
            entries.length === 0
              ? `Trusted list (used by ${usedBy.join(", ")}) is empty: it trusts no address`
              : `${entries.length} public entr${entries.length === 1 ? "y" : "ies"}, the broadest ${Object.entries(
                  broadest,
                )
                  .map(([family, prefix]) => `${family} a /${prefix}`)
                  .join(", ")}; used by ${usedBy.join(", ")}`,
            {
              observed: { entries: entries.length, broadestPrefixLength: broadest },
              expected: {
                ipv4MinPrefixLength: minPrefix[32],
                ipv6MinPrefixLength: minPrefix[128],
                nonPublic: 0,
              },
            },
          ),
        );
      }
    }

    const dangling = results.filter((r) => r.check === "ip-list-reference").map((r) => r.resourceName);
    const problems = [
      ...(tooBroad.length ? [`too broad: ${listOf(tooBroad)}`] : []),
      ...(nonPublic.length ? [`private or reserved: ${listOf(nonPublic)}`] : []),
      ...(unreadable.length ? [`unreadable: ${listOf(unreadable)}`] : []),
      ...(dangling.length ? [`missing lists: ${listOf(dangling)}`] : []),
    ];
    const expected = `expected at least one such policy and trusted entries public and no broader than /${minPrefix[32]} (IPv4) or /${minPrefix[128]} (IPv6)`;
    const summary =
      networkPolicies.length === 0
        ? `None of the ${enabled.length} enabled conditional-access policies has a network or location condition (expected at least one, e.g. MFA outside trusted networks).`
        : `${networkPolicies.length} of ${enabled.length} enabled conditional-access policies use network or location conditions (${listOf(networkPolicies.map((p) => policyResource(p).name))}) with ${trusted.size} trusted IP list${trusted.size === 1 ? "" : "s"}${problems.length ? `; ${problems.join("; ")}` : ", all within limits"} (${expected}).`;
    const used = new Set([...trusted.keys(), ...tightening]);
    return {
      results,
      summary,
      evidence: {
        networkPolicies: networkPolicies.map((p) => ({
          name: policyResource(p).name,
          type: p.type ?? "user_portal",
          condition: describeCondition(p.conditions, listName),
          targets: targetingOf(p).text,
        })),
        trustedLists: [...trusted.keys()].map((id) => ({
          id,
          name: listName(id),
          entries: listsById.get(id)?.ips ?? [],
        })),
        tighteningLists: [...tightening].filter((id) => !trusted.has(id)).map(listName),
        unusedLists: ipLists
          .filter((l) => !l.id || !used.has(l.id))
          .map((l) => l.name ?? l.id ?? "(unnamed)"),
        disabledNetworkPolicies: authnPolicies
          .filter((p) => p.disabled === true && isNetworkPolicy(p))
          .map((p) => policyResource(p).name),
      },
    };
  },
});
