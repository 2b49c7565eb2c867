/** 3.1 Configure Conditional Access Policies: a network/location policy, and sane trusted IP lists. */
import ipaddr from "ipaddr.js";
import { mfaOutsideTrustedPolicy, REMEDIATION_NAMES } from "../remediation/bodies.js";
import { RemediationError } from "../remediation/errors.js";
import { defineControl, isolateCheck, type ResourceResult, result } from "./types.js";
import {
  combineDoubts,
  type Doubt,
  describeReading,
  doubtOf,
  fieldsOf,
  isDoubt,
  preview,
  readBoolean,
  readList,
  readObject,
  readString,
  textOf,
} from "./values.js";

/*
 * Policies and IP lists are read through values.ts: every field is `unknown` until checked. A value the
 * verdict depends on that was not reported gives MANUAL (a human can look in the console); one of another
 * type gives ERROR (the auditor cannot use it). Neither is ever a PASS, nor a FAIL as if it were false.
 */

/** A list of strings, or the doubt naming the first element that is not one. */
function stringList(raw: unknown, field: string, absent?: readonly string[]): readonly string[] | Doubt {
  const list = readList(raw);
  if (list.state === "absent" && absent) return absent;
  if (list.state !== "value") return doubtOf(field, list);
  const bad = list.value.findIndex((item) => typeof item !== "string");
  if (bad >= 0) return doubtOf(`${field}[${bad}]`, readString(list.value[bad]));
  return list.value as readonly string[];
}

/**
 * A policy's condition tree as read (notes §5 grammar). Kinds outside the 2023 grammar (JumpCloud has since
 * removed it from the spec, so newer kinds may exist) are kept as `other`, an unknown truth; a node the
 * grammar cannot read (odd type, several keys, empty) is `unreadable` with the reason.
 */
export type Condition =
  | { readonly op: "deviceEncrypted" | "deviceManaged"; readonly value: boolean }
  | { readonly op: "ipAddressIn"; readonly ids: readonly string[] }
  | { readonly op: "locationIn"; readonly countries: readonly string[] }
  | { readonly op: "not"; readonly child: Condition }
  | { readonly op: "all" | "any"; readonly children: readonly Condition[] }
  | { readonly op: "other"; readonly key: string; readonly raw: unknown }
  | { readonly op: "unreadable"; readonly reason: string; readonly raw: unknown };

/** The grammar's network and device condition kinds. */
export const NETWORK_KINDS = ["ipAddressIn", "locationIn"] as const;
/** The grammar's device condition kinds. */
export const DEVICE_KINDS = ["deviceManaged", "deviceEncrypted"] as const;

/** Deeper trees than this are not walked (JSON this deep is no policy anyone wrote). */
const MAX_DEPTH = 64;

/**
 * Reads a policy's `conditions`. Absent, null or `{}` is no condition (the policy applies to every login):
 * the spec makes `conditions` optional and its own samples send `{}` for none.
 */
export function readCondition(raw: unknown, path = "conditions"): Condition | undefined {
  const root = readObject(raw);
  if (root.state === "absent" || (root.state === "value" && Object.keys(root.value).length === 0))
    return undefined;
  return readNode(raw, path, 0);
}

function readNode(raw: unknown, path: string, depth: number): Condition {
  const unreadable = (reason: string): Condition => ({ op: "unreadable", reason, raw });
  if (depth > MAX_DEPTH) return unreadable(`${path} is nested deeper than ${MAX_DEPTH} levels`);
  const node = readObject(raw);
  if (node.state !== "value") return unreadable(`${path} is ${describeReading(node)}`);
  const entries = Object.entries(node.value);
  const [first] = entries;
  if (!first || entries.length > 1)
    return unreadable(
      `${path} has ${entries.length === 0 ? "no key" : `${entries.length} keys (${entries.map(([k]) => k).join(", ")})`}; the grammar has exactly one per expression`,
    );
  const [key, value] = first;
  const at = `${path}.${key}`;
  switch (key) {
    case "not":
      return { op: "not", child: readNode(value, at, depth + 1) };
    case "all":
    case "any": {
      const list = readList(value);
      if (list.state !== "value") return unreadable(`${at} is ${describeReading(list)}`);
      if (list.value.length === 0) return unreadable(`${at} is an empty list`);
      return { op: key, children: list.value.map((child, i) => readNode(child, `${at}[${i}]`, depth + 1)) };
    }
    case "deviceEncrypted":
    case "deviceManaged": {
      const flag = readBoolean(value);
      return flag.state === "value"
        ? { op: key, value: flag.value }
        : unreadable(`${at} is ${describeReading(flag)}`);
    }
    case "ipAddressIn": {
      const ids = stringList(value, at);
      return isDoubt(ids) ? unreadable(ids.reason) : { op: key, ids };
    }
    case "locationIn": {
      const location = readObject(value);
      if (location.state !== "value") return unreadable(`${at} is ${describeReading(location)}`);
      const countries = stringList(location.value.countries, `${at}.countries`);
      return isDoubt(countries) ? unreadable(countries.reason) : { op: key, countries };
    }
    default:
      return { op: "other", key, raw: value };
  }
}

/** A known leaf of a condition tree, with whether an odd number of `not`s wraps it. */
export type ConditionLeaf = Extract<
  Condition,
  { op: "deviceEncrypted" | "deviceManaged" | "ipAddressIn" | "locationIn" }
> & { readonly negated: boolean };

/** A node of a condition tree that is not `not`, `all` or `any`: a known kind, an unknown kind or unreadable. */
export type LeafNode = Exclude<Condition, { op: "not" | "all" | "any" }>;

/** Every leaf node of a condition tree, in order, with whether an odd number of `not`s wraps it. */
export function leafNodes(
  condition: Condition | undefined,
  negated = false,
): { readonly node: LeafNode; readonly negated: boolean }[] {
  if (!condition) return [];
  switch (condition.op) {
    case "not":
      return leafNodes(condition.child, !negated);
    case "all":
    case "any":
      return condition.children.flatMap((child) => leafNodes(child, negated));
    default:
      return [{ node: condition, negated }];
  }
}

/** Every known leaf of a condition tree, through `not`, `all` and `any`, at any depth. */
export function conditionLeaves(condition: Condition | undefined): ConditionLeaf[] {
  return leafNodes(condition).flatMap(({ node, negated }) =>
    node.op === "other" || node.op === "unreadable" ? [] : [{ ...node, negated }],
  );
}

/** The nodes of a tree that are not of the grammar's known kinds: unknown kinds and unreadable nodes. */
export function opaqueNodes(
  condition: Condition | undefined,
): Extract<Condition, { op: "other" | "unreadable" }>[] {
  return leafNodes(condition).flatMap(({ node }) =>
    node.op === "other" || node.op === "unreadable" ? [node] : [],
  );
}

/** The reasons the nodes of a tree could not be read. */
export function conditionProblems(condition: Condition | undefined): string[] {
  return opaqueNodes(condition).flatMap((node) => (node.op === "unreadable" ? [node.reason] : []));
}

/** The MANUAL doubt of a tree whose unknown kinds may hide a condition (`where`: what they may hold or wrap). */
export function unknownKindsDoubt(condition: Condition | undefined, where: string): Doubt {
  const kinds = opaqueNodes(condition).map((node) => (node.op === "other" ? node.key : "?"));
  return {
    status: "MANUAL",
    reason: `its condition has kinds this audit does not know (${kinds.join(", ")}) ${where}`,
  };
}

/** Whether any key of `raw`, at any depth, is one of `keys`. */
function containsKey(raw: unknown, keys: readonly string[], depth = 0): boolean {
  if (depth > MAX_DEPTH || typeof raw !== "object" || raw === null) return false;
  if (Array.isArray(raw)) return raw.some((item) => containsKey(item, keys, depth + 1));
  return Object.entries(raw).some(
    ([key, value]) => keys.includes(key) || containsKey(value, keys, depth + 1),
  );
}

/**
 * Whether a condition of one of these kinds may hide in the parts of a tree that could not be read: one
 * that names such a kind at any depth, or one that is not even an object (it could stand for anything).
 */
export function hiddenIn(condition: Condition | undefined, kinds: readonly string[]): boolean {
  return opaqueNodes(condition).some(
    (node) =>
      (node.op === "unreadable" && (typeof node.raw !== "object" || node.raw === null)) ||
      containsKey(node.raw, kinds),
  );
}

/** A condition tree in words, e.g. `not(ipAddressIn [Corporate egress])`; IP list ids become names. */
export function describeCondition(
  condition: Condition | undefined,
  listName: (id: string) => string = (id) => id,
): string {
  if (!condition) return "(none)";
  switch (condition.op) {
    case "not":
      return `not(${describeCondition(condition.child, listName)})`;
    case "all":
    case "any":
      return `${condition.op}(${condition.children.map((child) => describeCondition(child, listName)).join(", ")})`;
    case "ipAddressIn":
      return `ipAddressIn [${condition.ids.map(listName).join(", ")}]`;
    case "locationIn":
      return `locationIn [${condition.countries.join(", ")}]`;
    case "deviceEncrypted":
    case "deviceManaged":
      return `${condition.op}: ${condition.value}`;
    case "other":
      return `${condition.key}: ${preview(condition.raw)}`;
    case "unreadable":
      return `(unreadable: ${preview(condition.raw)})`;
  }
}

/** What a policy does when its condition matches, as read from `effect`. */
export interface EffectView {
  /** `deny`, `allow with MFA`, `allow`, `unknown`, or words for what could not be read. */
  readonly text: string;
  /** Whether the policy denies or requires MFA; undefined when `effect` could not be read. */
  readonly tightens?: boolean;
  readonly doubt?: Doubt;
}

const ACTIONS = ["allow", "deny", "unknown"] as const;

/** Reads `effect` (notes §5: `action` required; `obligations` optional). */
export function readEffect(raw: unknown): EffectView {
  const effect = readObject(raw);
  if (effect.state !== "value") return { text: "effect unreadable", doubt: doubtOf("effect", effect) };
  const action = readString(effect.value.action);
  if (action.state !== "value" || !(ACTIONS as readonly string[]).includes(action.value)) {
    const doubt =
      action.state === "value"
        ? {
            status: "ERROR" as const,
            reason: `effect.action is ${preview(action.value)} (expected allow, deny or unknown)`,
          }
        : doubtOf("effect.action", action);
    return { text: "effect unreadable", doubt };
  }
  // No `obligations` (or no `mfa` in them) is a plain allow: the spec's own example is `{"action": "allow"}`.
  const obligations = readObject(effect.value.obligations);
  const mfa = obligations.state === "value" ? readObject(obligations.value.mfa) : obligations;
  const required = mfa.state === "value" ? readBoolean(mfa.value.required) : mfa;
  if (required.state === "invalid") {
    const field =
      obligations.state === "invalid"
        ? "effect.obligations"
        : mfa.state === "invalid"
          ? "effect.obligations.mfa"
          : "effect.obligations.mfa.required";
    return { text: `${action.value}, MFA obligation unreadable`, doubt: doubtOf(field, required) };
  }
  const mfaRequired = required.state === "value" && required.value;
  const allowWithMfa = action.value === "allow" && mfaRequired;
  return {
    text: allowWithMfa ? "allow with MFA" : action.value,
    tightens: action.value === "deny" || allowWithMfa,
  };
}

/** Who a policy applies to, as read from `targets`. */
export interface TargetingView {
  readonly text: string;
  /** Every user without exception; undefined when the targets could not be read. */
  readonly everyone?: boolean;
  readonly doubt?: Doubt;
}

/** Reads `targets` (notes §5): user inclusions (`ALL`), group inclusions and exclusions, attribute rules. */
export function readTargeting(raw: unknown): TargetingView {
  const targets = readObject(raw);
  if (targets.state !== "value") return { text: "targets unreadable", doubt: doubtOf("targets", targets) };
  const doubts: Doubt[] = [];
  const section = (name: string): Readonly<Record<string, unknown>> => {
    const value = readObject(targets.value[name]);
    if (value.state === "invalid") doubts.push(doubtOf(`targets.${name}`, value));
    return value.state === "value" ? value.value : {};
  };
  // Absent sections and lists are empty: `targets` carries only what is set (the spec's sample omits some).
  const list = (value: unknown, field: string): readonly string[] => {
    const strings = stringList(value, field, []);
    if (!isDoubt(strings)) return strings;
    doubts.push(strings);
    return [];
  };
  const users = list(section("users").inclusions, "targets.users.inclusions");
  const userGroups = section("userGroups");
  const groups = list(userGroups.inclusions, "targets.userGroups.inclusions");
  const excluded = list(userGroups.exclusions, "targets.userGroups.exclusions");
  const attributes = section("userAttributes");
  const doubt = combineDoubts(doubts);
  if (doubt) return { text: "targets unreadable", doubt };
  // Attribute rules narrow the policy when any rule list is non-empty (empty lists narrow nothing).
  const narrowed = Object.values(attributes).some(
    (rules) => rules !== null && rules !== undefined && !(Array.isArray(rules) && rules.length === 0),
  );
  const allUsers = users.includes("ALL");
  const included = [
    ...(allUsers ? ["all users"] : users.length > 0 ? [`users ${users.join(", ")}`] : []),
    ...(!allUsers && groups.length > 0 ? [`user groups ${groups.join(", ")}`] : []),
  ];
  const text = [
    included.length > 0 ? included.join(" and ") : "no users",
    ...(excluded.length > 0 ? [`except user groups ${excluded.join(", ")}`] : []),
    ...(narrowed ? ["narrowed by user-attribute rules"] : []),
  ].join(" ");
  return { text, everyone: allUsers && excluded.length === 0 && !narrowed };
}

/** A conditional-access policy as read: every field the controls judge, or the doubt about it. */
export interface PolicyView {
  readonly resource: { type: string; id: string; name: string };
  /** `enabled` only when `disabled` is reported false; `unknown` with `stateDoubt` when it is not read. */
  readonly state: "enabled" | "disabled" | "unknown";
  readonly stateDoubt?: Doubt;
  readonly type: string;
  readonly condition: Condition | undefined;
  /** Why parts of the condition tree could not be read. */
  readonly conditionDoubt?: Doubt;
  readonly effect: EffectView;
  readonly targeting: TargetingView;
}

/** Names a conditional-access policy for results. */
export function policyResource(policy: unknown, index = 0): { type: string; id: string; name: string } {
  const fields = fieldsOf(policy) ?? {};
  const id = textOf(fields.id, textOf(fields.name, `(policy ${index + 1})`));
  return { type: "authn-policy", id, name: textOf(fields.name, id) };
}

/** The view of a policy that could not be read at all: every field it has is the one doubt. */
function unreadablePolicy(resource: PolicyView["resource"], raw: unknown, doubt: Doubt): PolicyView {
  return {
    resource,
    state: "unknown",
    stateDoubt: doubt,
    type: "unknown",
    condition: { op: "unreadable", reason: doubt.reason, raw },
    conditionDoubt: doubt,
    effect: { text: "effect unreadable", doubt },
    targeting: { text: "targets unreadable", doubt },
  };
}

/** Reads one policy of `GET /api/v2/authn/policies`; never throws. */
export function readPolicy(raw: unknown, index = 0): PolicyView {
  const resource = policyResource(raw, index);
  const record = readObject(raw);
  if (record.state !== "value") return unreadablePolicy(resource, raw, doubtOf("the policy", record));
  const policy = record.value;
  const disabled = readBoolean(policy.disabled);
  const condition = readCondition(policy.conditions);
  const problems = conditionProblems(condition);
  return {
    resource,
    state: disabled.state === "value" ? (disabled.value ? "disabled" : "enabled") : "unknown",
    ...(disabled.state === "value" ? {} : { stateDoubt: doubtOf("disabled", disabled) }),
    type: textOf(policy.type, "user_portal"),
    condition,
    ...(problems.length > 0
      ? { conditionDoubt: { status: "ERROR" as const, reason: problems.join("; ") } }
      : {}),
    effect: readEffect(policy.effect),
    targeting: readTargeting(policy.targets),
  };
}

/** Reads every policy; one that cannot be read at all is a view full of doubts, never an exception. */
export function readPolicies(policies: unknown): PolicyView[] {
  const list = readList(policies);
  if (list.state !== "value") return [];
  return list.value.map((raw, index) => {
    try {
      return readPolicy(raw, index);
    } catch (error) {
      const name = `(policy ${index + 1})`;
      return unreadablePolicy({ type: "authn-policy", id: name, name }, raw, {
        status: "ERROR",
        reason: `the policy could not be read: ${(error as Error)?.message}`,
      });
    }
  });
}

/** An IP list as read: its id (the policies' reference), name and entries, or the doubts about them. */
interface ListView {
  readonly id?: string;
  readonly name: string;
  /** String entries, or why they could not be read. */
  readonly entries: readonly string[] | Doubt;
  /** Entries that are not strings, by position. */
  readonly oddEntries: readonly { index: number; doubt: Doubt }[];
}

function readIpList(raw: unknown, index: number): ListView {
  const record = readObject(raw);
  const fields = record.state === "value" ? record.value : {};
  const id = readString(fields.id);
  const idText = id.state === "value" && id.value !== "" ? id.value : undefined;
  const name = textOf(fields.name, idText ?? `(IP list ${index + 1})`);
  const ips = readList(fields.ips);
  if (record.state !== "value") return { name, entries: doubtOf("the IP list", record), oddEntries: [] };
  const identified = idText ? { id: idText } : {};
  if (ips.state !== "value") return { ...identified, name, entries: doubtOf("ips", ips), oddEntries: [] };
  const entries: string[] = [];
  const oddEntries: { index: number; doubt: Doubt }[] = [];
  ips.value.forEach((entry, i) => {
    if (typeof entry === "string") entries.push(entry);
    else oddEntries.push({ index: i, doubt: doubtOf(`ips[${i}]`, readString(entry)) });
  });
  return { ...identified, name, entries: [...new Set(entries)], oddEntries };
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

/** How the policies that are (or may be) enabled use the IP lists that exist. */
interface ListUsage {
  /** List id → names of enabled policies that trust it (relax access inside it). */
  readonly trusted: Map<string, Set<string>>;
  /** List id → policies that may trust it, with why it is not certain (state or effect not read). */
  readonly possibly: Map<string, Map<string, Doubt>>;
  /** Lists only used to tighten access (deny or MFA inside them). */
  readonly tightening: Set<string>;
}

function isNetworkLeaf(leaf: ConditionLeaf): boolean {
  return leaf.op === "ipAddressIn" || leaf.op === "locationIn";
}

function usageOf(views: readonly PolicyView[], lists: ReadonlyMap<string, ListView>): ListUsage {
  const usage: ListUsage = { trusted: new Map(), possibly: new Map(), tightening: new Set() };
  for (const view of views) {
    if (view.state === "disabled") continue;
    for (const leaf of conditionLeaves(view.condition)) {
      if (leaf.op !== "ipAddressIn") continue;
      // A negated list is where the policy's step-up does not apply, so it is trusted; a plain one is
      // trusted unless the policy denies or requires MFA inside it (then it only tightens access).
      const trusts = leaf.negated
        ? true
        : view.effect.tightens === undefined
          ? undefined
          : !view.effect.tightens;
      const doubt = combineDoubts([view.stateDoubt, trusts === undefined ? view.effect.doubt : undefined]);
      for (const id of leaf.ids) {
        if (!lists.has(id)) continue;
        if (trusts === false) usage.tightening.add(id);
        else if (!doubt) usage.trusted.set(id, (usage.trusted.get(id) ?? new Set()).add(view.resource.name));
        else usage.possibly.set(id, (usage.possibly.get(id) ?? new Map()).set(view.resource.name, doubt));
      }
    }
  }
  return usage;
}

/** The `network-policy` check: at least one enabled policy with a network or location condition. */
function networkPolicyCheck(
  views: readonly PolicyView[],
  policyCount: number,
  listName: (id: string) => string,
): ResourceResult[] {
  const rows: ResourceResult[] = [];
  for (const view of views) {
    if (view.state === "disabled") continue;
    const leaves = conditionLeaves(view.condition).filter(isNetworkLeaf);
    const hidden = leaves.length === 0 && hiddenIn(view.condition, NETWORK_KINDS);
    if (leaves.length === 0 && !hidden) continue;
    const condition = describeCondition(view.condition, listName);
    const countries = leaves.flatMap((leaf) => (leaf.op === "locationIn" ? leaf.countries : []));
    const effect = view.effect.text;
    const doubt = combineDoubts([
      view.stateDoubt,
      view.conditionDoubt,
      hidden && !view.conditionDoubt
        ? unknownKindsDoubt(view.condition, "that may hold a network condition")
        : undefined,
    ]);
    const observed = { condition, effect, ...(countries.length > 0 ? { countries } : {}) };
    rows.push(
      doubt
        ? result(
            doubt.status,
            view.resource,
            "network-policy",
            `Could not judge the ${view.type} policy (${effect}, ${view.targeting.text}) with condition ${condition}: ${doubt.reason}; check it in Security → Conditional Access`,
            { observed, expected: "an enabled policy with ipAddressIn or locationIn" },
          )
        : result(
            "PASS",
            view.resource,
            "network-policy",
            `Enabled ${view.type} policy (${effect}, ${view.targeting.text}) with condition ${condition}`,
            { observed },
          ),
    );
  }
  if (rows.length === 0) {
    const enabled = views.filter((view) => view.state === "enabled").length;
    rows.push(
      result(
        "FAIL",
        { type: "conditional-access", id: "network-policy", name: "Conditional Access" },
        "network-policy",
        `No enabled policy has a network or location condition (${enabled} enabled, ${policyCount} in all)`,
        { observed: 0, expected: "at least one enabled policy with ipAddressIn or locationIn" },
      ),
    );
  }
  return rows;
}

/** The `ip-list-reference` check: every list an enabled policy names exists. */
function referenceCheck(
  views: readonly PolicyView[],
  lists: ReadonlyMap<string, ListView>,
  unidentified: number,
): ResourceResult[] {
  const rows: ResourceResult[] = [];
  // A list whose id could not be read may be the one referenced: then "missing" is not known.
  const anonymous: Doubt | undefined =
    unidentified > 0
      ? {
          status: "ERROR",
          reason: `${unidentified} IP list${unidentified === 1 ? " has" : "s have"} no readable id and may be the one referenced`,
        }
      : undefined;
  for (const view of views) {
    if (view.state === "disabled") continue;
    const seen = new Set<string>();
    for (const leaf of conditionLeaves(view.condition)) {
      if (leaf.op !== "ipAddressIn") continue;
      for (const id of leaf.ids) {
        if (lists.has(id) || seen.has(id)) continue;
        seen.add(id);
        const doubt = combineDoubts([view.stateDoubt, anonymous]);
        rows.push(
          result(
            doubt ? doubt.status : "FAIL",
            {
              type: "authn-policy",
              id: `${view.resource.id}:${id}`,
              name: `${view.resource.name} → IP list ${id}`,
            },
            "ip-list-reference",
            `Policy ${view.resource.name} references IP list ${id}, which does not exist (dangling reference: the condition never matches as intended)${doubt ? `; not judged a failure because ${doubt.reason}` : ""}`,
            { observed: { listId: id, exists: false }, expected: { exists: true } },
          ),
        );
      }
    }
  }
  return rows;
}

/** Limits of the trusted-list check, by address family. */
type PrefixLimits = { readonly 32: number; readonly 128: number };

/** The entries of one trusted (or possibly trusted) list, judged for format, public space and breadth. */
function judgeList(
  id: string,
  list: ListView,
  usedBy: readonly string[],
  contingent: Doubt | undefined,
  minPrefix: PrefixLimits,
): ResourceResult[] {
  const rows: ResourceResult[] = [];
  const name = list.name;
  const used = `used by ${usedBy.join(", ")}`;
  // A FAIL on a list only possibly trusted (its policy's state or effect unread) is not certain.
  const failStatus = contingent ? contingent.status : "FAIL";
  const unlessNote = contingent ? `; not judged a failure because ${contingent.reason}` : "";
  if (isDoubt(list.entries)) {
    return [
      result(
        list.entries.status,
        { type: "ip-list", id, name },
        "trusted-list",
        `Trusted list ${name} (${used}) could not be judged: ${list.entries.reason}; check it in Security → Conditional Access → IP Lists`,
        { observed: null, expected: "a list of public addresses, CIDRs or ranges" },
      ),
    ];
  }
  for (const odd of list.oddEntries) {
    rows.push(
      result(
        "ERROR",
        { type: "ip-list-entry", id: `${id}:#${odd.index}`, name: `entry ${odd.index} in ${name}` },
        "entry-format",
        `Entry ${odd.index} of trusted list ${name} could not be read: ${odd.doubt.reason}`,
        { observed: null, expected: "an IPv4/IPv6 address, CIDR, or range a - b" },
      ),
    );
  }
  const broadest: { IPv4?: number; IPv6?: number } = {};
  for (const entry of list.entries) {
    const resource = { type: "ip-list-entry", id: `${id}:${entry}`, name: `${entry} in ${name}` };
    const span = parseEntry(entry);
    if (!span) {
      rows.push(
        result(
          "MANUAL",
          resource,
          "entry-format",
          `Entry "${entry}" of trusted list ${name} is not an address, CIDR or "a - b" range this audit can read; check it in Security → Conditional Access → IP Lists`,
          { observed: entry, expected: "an IPv4/IPv6 address, CIDR, or range a - b" },
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
      rows.push(
        result(
          "MANUAL",
          resource,
          "non-public-range",
          `${entry} in trusted list ${name} is ${block.name} address space (${block.cidr}): conditional access evaluates the public source address of a request, so this entry never matches office traffic, and wherever it does match (a proxy or path exposing internal addresses) it trusts every network using the same range, such as homes and hotels; the guide's own example list (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) is unsafe for this reason. Replace it with your public egress addresses`,
          { observed: { entry, range: block.cidr }, expected: "public egress addresses only" },
        ),
      );
    } else if (count > 1n << BigInt(span.bits - limit)) {
      rows.push(
        result(
          failStatus,
          resource,
          "trusted-range-breadth",
          `${entry} in trusted list ${name} (${used}) covers ${formatCount(count)}, like a /${prefix}; expected /${limit} or narrower (at most ${formatCount(1n << BigInt(span.bits - limit))})${unlessNote}`,
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
  if (rows.length === 0) {
    const count = list.entries.length;
    rows.push(
      result(
        "PASS",
        { type: "ip-list", id, name },
        "trusted-list",
        count === 0
          ? `Trusted list (${used}) is empty: it trusts no address`
          : `${count} public entr${count === 1 ? "y" : "ies"}, the broadest ${Object.entries(broadest)
              .map(([family, prefix]) => `${family} a /${prefix}`)
              .join(", ")}; ${used}`,
        {
          observed: { entries: count, broadestPrefixLength: broadest },
          expected: { ipv4MinPrefixLength: minPrefix[32], ipv6MinPrefixLength: minPrefix[128], nonPublic: 0 },
        },
      ),
    );
  }
  return rows;
}

/** The trusted-list checks over every list the policies trust, or may trust. */
function trustedListCheck(
  usage: ListUsage,
  lists: ReadonlyMap<string, ListView>,
  minPrefix: PrefixLimits,
): ResourceResult[] {
  const rows: ResourceResult[] = [];
  const ids = [...new Set([...usage.trusted.keys(), ...usage.possibly.keys()])];
  for (const id of ids) {
    const list = lists.get(id);
    if (!list) continue;
    const sure = [...(usage.trusted.get(id) ?? [])];
    const maybe = usage.possibly.get(id) ?? new Map<string, Doubt>();
    const usedBy = [...sure, ...[...maybe.keys()].filter((name) => !sure.includes(name))];
    const contingent =
      sure.length > 0
        ? undefined
        : combineDoubts(
            [...maybe].map(([name, doubt]) => ({
              status: doubt.status,
              reason: `for ${name}, ${doubt.reason}`,
            })),
          );
    rows.push(...judgeList(id, list, usedBy, contingent, minPrefix));
  }
  return rows;
}

/** Runs `compute`, keeping a throw as the value so that the checks depending on it can report it. */
function attempt<T>(compute: () => T): T | Error {
  try {
    return compute();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
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
      const views = readPolicies(authnPolicies);
      const hasNetwork = (view: PolicyView) => conditionLeaves(view.condition).some(isNetworkLeaf);
      // Never plan a new policy beside one that may already do the job: a policy whose enabled state was not
      // read counts as enabled here, and one whose condition could not be read may hold a network condition.
      const existing = views.filter((view) => view.state !== "disabled" && hasNetwork(view));
      if (existing.length > 0) {
        const unsure = existing.filter((view) => view.stateDoubt).map((view) => view.resource.name);
        return {
          actions: [],
          warnings: [
            `Enabled conditional-access policies exist (${existing.map((view) => view.resource.name).join(", ")}); broad, private or dangling IP-list entries are fixed by hand in Security → Conditional Access → IP Lists.${unsure.length > 0 ? ` The enabled state of ${unsure.join(", ")} was not read: check it there too.` : ""}`,
          ],
        };
      }
      const doubtful = views.filter(
        (view) => view.state !== "disabled" && hiddenIn(view.condition, NETWORK_KINDS),
      );
      if (doubtful.length > 0) {
        return {
          actions: [],
          warnings: [
            `Nothing planned: the conditions of ${doubtful.map((view) => view.resource.name).join(", ")} could not be fully read and may already hold a network condition; review them in Security → Conditional Access.`,
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
    const minPrefix: PrefixLimits = {
      32: thresholds.minIpv4PrefixLength,
      128: thresholds.minIpv6PrefixLength,
    };
    const views = readPolicies(authnPolicies);
    const listViews = (readList(ipLists).state === "value" ? (ipLists as unknown[]) : []).map(
      (raw, index) => {
        const view = attempt(() => readIpList(raw, index));
        return view instanceof Error
          ? {
              name: `(IP list ${index + 1})`,
              entries: { status: "ERROR" as const, reason: view.message },
              oddEntries: [],
            }
          : view;
      },
    );
    const lists = new Map<string, ListView>();
    for (const list of listViews) if (list.id !== undefined && !lists.has(list.id)) lists.set(list.id, list);
    const unidentified = listViews.filter((list) => list.id === undefined).length;
    const listName = (id: string) => lists.get(id)?.name ?? id;
    const policyCount = views.length;
    const usage = attempt(() => usageOf(views, lists));

    const results: ResourceResult[] = [
      ...isolateCheck("network-policy", () => networkPolicyCheck(views, policyCount, listName)),
      ...isolateCheck("ip-list-reference", () => referenceCheck(views, lists, unidentified)),
      ...isolateCheck("trusted-list", () => {
        if (usage instanceof Error) throw usage;
        return trustedListCheck(usage, lists, minPrefix);
      }),
    ];

    // The summary is built from the results, so it stands whatever check failed.
    const named = (check: string, statuses: readonly string[] = ["FAIL", "MANUAL", "ERROR"]) =>
      results.filter((r) => r.check === check && statuses.includes(r.status)).map((r) => r.resourceName);
    const passing = named("network-policy", ["PASS"]);
    const unjudged = results
      .filter(
        (r) =>
          (r.status === "ERROR" || r.status === "MANUAL") &&
          (r.check === "network-policy" || r.check === "trusted-list" || r.resourceType === "check"),
      )
      .map((r) => r.resourceName);
    const problems = [
      ...(named("trusted-range-breadth").length
        ? [`too broad: ${listOf(named("trusted-range-breadth"))}`]
        : []),
      ...(named("non-public-range").length
        ? [`private or reserved: ${listOf(named("non-public-range"))}`]
        : []),
      ...(named("entry-format").length ? [`unreadable: ${listOf(named("entry-format"))}`] : []),
      ...(named("ip-list-reference").length ? [`missing lists: ${listOf(named("ip-list-reference"))}`] : []),
      ...(unjudged.length ? [`not judged: ${listOf(unjudged)}`] : []),
    ];
    const enabled = views.filter((view) => view.state === "enabled").length;
    const trustedCount = usage instanceof Error ? undefined : usage.trusted.size;
    const trustedText =
      trustedCount === undefined
        ? "trusted IP lists that could not be determined"
        : `${trustedCount} trusted IP list${trustedCount === 1 ? "" : "s"}`;
    const expected = `expected at least one such policy and trusted entries public and no broader than /${minPrefix[32]} (IPv4) or /${minPrefix[128]} (IPv6)`;
    const summary =
      passing.length > 0
        ? `${passing.length} of ${enabled} enabled conditional-access policies use network or location conditions (${listOf(passing)}) with ${trustedText}${problems.length ? `; ${problems.join("; ")}` : ", all within limits"} (${expected}).`
        : unjudged.length > 0
          ? `No enabled conditional-access policy is known to use a network or location condition (${enabled} enabled, ${policyCount} in all); ${problems.join("; ")} (${expected}).`
          : `None of the ${enabled} enabled conditional-access policies has a network or location condition (expected at least one, e.g. MFA outside trusted networks).`;

    const networkViews = views.filter((view) => conditionLeaves(view.condition).some(isNetworkLeaf));
    const used =
      usage instanceof Error
        ? new Set<string>()
        : new Set([...usage.trusted.keys(), ...usage.possibly.keys(), ...usage.tightening]);
    const entriesOf = (id: string) => {
      const entries = lists.get(id)?.entries;
      return entries === undefined || isDoubt(entries) ? [] : entries;
    };
    return {
      results,
      summary,
      evidence: {
        networkPolicies: networkViews
          .filter((view) => view.state !== "disabled")
          .map((view) => ({
            name: view.resource.name,
            type: view.type,
            condition: describeCondition(view.condition, listName),
            targets: view.targeting.text,
            ...(view.state === "unknown" ? { enabled: null } : {}),
          })),
        trustedLists:
          usage instanceof Error
            ? []
            : [...usage.trusted.keys()].map((id) => ({ id, name: listName(id), entries: entriesOf(id) })),
        ...(usage instanceof Error || usage.possibly.size === 0
          ? {}
          : {
              possiblyTrustedLists: [...usage.possibly.keys()]
                .filter((id) => !usage.trusted.has(id))
                .map((id) => ({ id, name: listName(id), entries: entriesOf(id) })),
            }),
        tighteningLists:
          usage instanceof Error
            ? []
            : [...usage.tightening]
                .filter((id) => !usage.trusted.has(id) && !usage.possibly.has(id))
                .map(listName),
        unusedLists: listViews
          .filter((list) => list.id === undefined || !used.has(list.id))
          .map((list) => list.name),
        disabledNetworkPolicies: networkViews
          .filter((view) => view.state === "disabled")
          .map((view) => view.resource.name),
      },
    };
  },
});
