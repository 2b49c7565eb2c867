import { describe, expect, it } from "vitest";
import { conditionalAccess } from "../../../lambdas/controls/conditional-access.js";
import { EngineError } from "../../../lambdas/engine/errors.js";
import { statusFromResults } from "../../../lambdas/engine/findings.js";
import type { AuthnPolicy, IpList } from "../../../lambdas/jumpcloud/types.js";
import { mfaPolicy } from "../../../sim/presets/builders.js";
import type { Doc } from "../../../sim/query.js";
import { auditControl, auditPreset, failing, hexId, useFreshSimulator } from "../../helpers/audit.js";

const { sim, org } = useFreshSimulator();
const policy = (name: string) => org().authnPolicies.find((p) => p.name === name) as Doc;
const corporate = () => org().ipLists.find((l) => l.name === "Corporate egress") as Doc;
const trust = (...ips: string[]) => (corporate().ips as string[]).push(...ips);

describe("3.1 Configure Conditional Access Policies", () => {
  it("PASS when an enabled policy has a network condition and its trusted list is public and narrow", async () => {
    const finding = await auditControl(sim(), "3.1");
    expect(finding.status).toBe("PASS");
    expect(finding.counts).toEqual({ PASS: 2, FAIL: 0, MANUAL: 0, MUTED: 0, ERROR: 0 });
    expect(finding.results.map((r) => `${r.resourceName}: ${r.check}`)).toEqual([
      "MFA Outside Corporate: network-policy",
      "Corporate egress: trusted-list",
    ]);
    expect(finding.results[0]?.message).toBe(
      "Enabled user_portal policy (allow with MFA, all users) with condition not(ipAddressIn [Corporate egress])",
    );
    expect(finding.results[1]?.message).toBe(
      "2 public entries, the broadest IPv4 a /24; used by MFA Outside Corporate",
    );
    expect(finding.summary).toBe(
      "1 of 3 enabled conditional-access policies use network or location conditions (MFA Outside Corporate) with 1 trusted IP list, all within limits (expected at least one such policy and trusted entries public and no broader than /16 (IPv4) or /48 (IPv6)).",
    );
    expect(finding.evidence).toMatchObject({
      unusedLists: [],
      tighteningLists: [],
      disabledNetworkPolicies: [],
    });
  });

  it("FAIL when no enabled policy has a network or location condition", async () => {
    policy("MFA Outside Corporate").conditions = {};
    const finding = await auditControl(sim(), "3.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["Conditional Access: network-policy"]);
    expect(finding.results).toHaveLength(1);
    expect(finding.summary).toMatch(
      /^None of the 3 enabled conditional-access policies has a network or location condition/,
    );
    expect(finding.evidence?.unusedLists).toEqual(["Corporate egress"]);
  });

  it("FAIL when the only network policy is disabled", async () => {
    policy("MFA Outside Corporate").disabled = true;
    const finding = await auditControl(sim(), "3.1");
    expect(failing(finding)).toEqual(["Conditional Access: network-policy"]);
    expect(finding.results[0]?.message).toBe(
      "No enabled policy has a network or location condition (2 enabled, 3 in all)",
    );
    expect(finding.evidence?.disabledNetworkPolicies).toEqual(["MFA Outside Corporate"]);
  });

  it("finds network and location conditions deep in the condition tree", async () => {
    policy("MFA Outside Corporate").conditions = {
      all: [{ deviceManaged: true }, { any: [{ not: { locationIn: { countries: ["US", "CA"] } } }] }],
    };
    const finding = await auditControl(sim(), "3.1");
    expect(finding.status).toBe("PASS");
    expect(finding.results).toHaveLength(1);
    expect(finding.results[0]?.observed).toMatchObject({ countries: ["US", "CA"] });
    expect(finding.results[0]?.message).toMatch(
      /all\(deviceManaged: true, any\(not\(locationIn \[US, CA\]\)\)\)/,
    );
  });

  it("FAIL per overly broad entry, with the prefix length as a measure", async () => {
    trust("0.0.0.0/0", "::/0");
    const finding = await auditControl(sim(), "3.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual([
      "0.0.0.0/0 in Corporate egress: trusted-range-breadth",
      "::/0 in Corporate egress: trusted-range-breadth",
    ]);
    const [v4, v6] = finding.results.filter((r) => r.status === "FAIL");
    expect(v4?.message).toBe(
      "0.0.0.0/0 in trusted list Corporate egress (used by MFA Outside Corporate) covers 4,294,967,296 addresses, like a /0; expected /16 or narrower (at most 65,536 addresses)",
    );
    expect(v4?.measure).toEqual({ value: 0, unit: "prefix length (bits)", worseWhen: "lower" });
    expect(v4?.observed).toEqual({ entry: "0.0.0.0/0", prefixLength: 0, addresses: 4294967296 });
    expect(v6?.message).toMatch(
      /covers about 2\^128 addresses, like a \/0; expected \/48 or narrower \(at most about 2\^80 addresses\)$/,
    );
    expect(finding.results.some((r) => r.check === "trusted-list")).toBe(false);
    expect(finding.summary).toMatch(
      /too broad: 0\.0\.0\.0\/0 in Corporate egress, ::\/0 in Corporate egress/,
    );
  });

  it("judges a range like a prefix of the same size", async () => {
    // 131,072 addresses = a /15 (too broad); 65,536 unaligned addresses = a /16 (allowed).
    trust("198.51.0.0 - 198.52.255.255", "1.2.3.4 - 1.3.3.3", "203.0.113.9");
    const finding = await auditControl(sim(), "3.1");
    expect(failing(finding)).toEqual([
      "198.51.0.0 - 198.52.255.255 in Corporate egress: trusted-range-breadth",
    ]);
    expect(finding.results.find((r) => r.status === "FAIL")?.measure?.value).toBe(15);
  });

  it("accepts IPv6 prefixes down to /48 and fails broader ones", async () => {
    trust("2001:db8:1::/48", "2001:db8::/32");
    const finding = await auditControl(sim(), "3.1");
    expect(failing(finding)).toEqual(["2001:db8::/32 in Corporate egress: trusted-range-breadth"]);
    expect(finding.results.find((r) => r.status === "FAIL")?.measure?.value).toBe(32);
  });

  it("MANUAL for private ranges in a trusted list, as in the guide's own example", async () => {
    corporate().ips = ["203.0.113.0/24", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8"];
    const finding = await auditControl(sim(), "3.1");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual([
      "10.0.0.0/8 in Corporate egress: non-public-range",
      "172.16.0.0/12 in Corporate egress: non-public-range",
      "192.168.0.0/16 in Corporate egress: non-public-range",
      "fd00::/8 in Corporate egress: non-public-range",
    ]);
    const message = finding.results.find((r) => r.status === "MANUAL")?.message ?? "";
    expect(message).toMatch(
      /^10\.0\.0\.0\/8 in trusted list Corporate egress is private \(RFC 1918\) address space/,
    );
    expect(message).toMatch(/evaluates the public source address/);
    expect(message).toMatch(/the guide's own example list .* is unsafe/);
  });

  it("judges a range that only partly covers private space by its size", async () => {
    trust("172.0.0.0/8");
    const finding = await auditControl(sim(), "3.1");
    expect(failing(finding)).toEqual(["172.0.0.0/8 in Corporate egress: trusted-range-breadth"]);
    expect(failing(finding, "MANUAL")).toEqual([]);
  });

  it("MANUAL for an entry that is not an address, CIDR or range", async () => {
    trust("office-router", "10.0.0.300/8", "203.0.113.9 - 203.0.113.1");
    const finding = await auditControl(sim(), "3.1");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual([
      "office-router in Corporate egress: entry-format",
      "10.0.0.300/8 in Corporate egress: entry-format",
      "203.0.113.9 - 203.0.113.1 in Corporate egress: entry-format",
    ]);
  });

  it("FAIL on a reference to an IP list that does not exist", async () => {
    policy("MFA Outside Corporate").conditions = {
      not: { ipAddressIn: [corporate().id, "5f00000600000000000000ff"] },
    };
    const finding = await auditControl(sim(), "3.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual([
      "MFA Outside Corporate → IP list 5f00000600000000000000ff: ip-list-reference",
    ]);
    expect(finding.results.find((r) => r.status === "FAIL")?.message).toMatch(
      /references IP list 5f00000600000000000000ff, which does not exist/,
    );
    expect(finding.summary).toMatch(
      /missing lists: MFA Outside Corporate → IP list 5f00000600000000000000ff/,
    );
  });

  it("does not judge a list that only tightens access (a block list)", async () => {
    const blocked = { id: hexId(1, "5f06"), name: "Blocked everywhere", ips: ["0.0.0.0/0"] };
    org().ipLists.push(blocked);
    org().authnPolicies.push({
      ...mfaPolicy(hexId(1, "5f05"), { name: "Block listed" }),
      conditions: { ipAddressIn: [blocked.id] },
      effect: { action: "deny" },
    });
    const finding = await auditControl(sim(), "3.1");
    expect(finding.status).toBe("PASS");
    expect(finding.evidence?.tighteningLists).toEqual(["Blocked everywhere"]);
  });

  it("FAIL when there are no policies and no lists at all", async () => {
    org().authnPolicies = [];
    org().ipLists = [];
    const finding = await auditControl(sim(), "3.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["Conditional Access: network-policy"]);
    expect(finding.summary).toMatch(/^None of the 0 enabled/);
  });

  it("finds the one broad list beyond the first page of policies and lists (>100 each)", async () => {
    policy("MFA Outside Corporate").conditions = {};
    for (let i = 0; i < 150; i++) {
      org().ipLists.push({
        id: hexId(i, "5f06"),
        name: `list-${i}`,
        ips: [i === 140 ? "100.0.0.0/6" : `198.51.100.${i}`],
      });
      org().authnPolicies.push(
        mfaPolicy(hexId(i, "5f05"), {
          name: `policy-${i}`,
          disabled: i < 130,
          conditions: { not: { ipAddressIn: [hexId(i, "5f06")] } },
        }),
      );
    }
    const finding = await auditControl(sim(), "3.1");
    expect(failing(finding)).toEqual(["100.0.0.0/6 in list-140: trusted-range-breadth"]);
    expect(finding.counts).toEqual({ PASS: 39, FAIL: 1, MANUAL: 0, MUTED: 0, ERROR: 0 });
    expect(finding.summary).toMatch(
      /^20 of 23 enabled conditional-access policies use network or location conditions \(policy-130, policy-131, policy-132, policy-133, policy-134 and 15 more\) with 20 trusted IP lists; too broad: 100\.0\.0\.0\/6 in list-140 \(/,
    );
  });

  it("honours a stricter IPv4 threshold", async () => {
    const finding = await auditControl(sim(), "3.1", { thresholds: { "3.1": { minIpv4PrefixLength: 25 } } });
    expect(failing(finding)).toEqual(["203.0.113.0/24 in Corporate egress: trusted-range-breadth"]);
    expect(finding.summary).toMatch(/no broader than \/25 \(IPv4\)/);
  });

  it("honours a looser threshold", async () => {
    trust("0.0.0.0/0", "2001:db8::/32");
    const finding = await auditControl(sim(), "3.1", {
      thresholds: { "3.1": { minIpv4PrefixLength: 0, minIpv6PrefixLength: 32 } },
    });
    expect(finding.status).toBe("PASS");
    expect(finding.results[1]?.message).toBe(
      "4 public entries, the broadest IPv4 a /0, IPv6 a /32; used by MFA Outside Corporate",
    );
  });

  it("rejects an invalid threshold override", async () => {
    await expect(
      auditControl(sim(), "3.1", { thresholds: { "3.1": { minIpv4PrefixLength: 33 } } }),
    ).rejects.toMatchObject({
      code: "INVALID_THRESHOLD",
    });
    await expect(
      auditControl(sim(), "3.1", { thresholds: { "3.1": { minIpv6PrefixLength: "48" } } }),
    ).rejects.toBeInstanceOf(EngineError);
  });

  it("ERROR when authentication policies cannot be read", async () => {
    sim().faults.add({ kind: "status", status: 500, path: "/api/v2/authn/policies" });
    const finding = await auditControl(sim(), "3.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error).toMatchObject({
      code: "SERVER_ERROR",
      datasets: [{ dataset: "authnPolicies", status: 500 }],
    });
  });

  it("ERROR when IP lists cannot be read", async () => {
    sim().faults.add({ kind: "status", status: 500, path: "/api/v2/iplists" });
    const finding = await auditControl(sim(), "3.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error?.datasets.map((d) => d.dataset)).toEqual(["ipLists"]);
  });

  it("NOT_APPLICABLE on a declared plan without Conditional Access", async () => {
    const finding = await auditControl(sim(), "3.1", { plan: "core" });
    expect(finding.status).toBe("NOT_APPLICABLE");
    expect(finding.summary).toBe(
      "Conditional Access is not part of the Core plan (it needs Platform or Platform Plus).",
    );
    expect(finding.results).toEqual([]);
  });

  it("ERROR with the --plan hint when the plan is undeclared and the API answers 403", async () => {
    sim().scenario.plan = "core";
    const finding = await auditControl(sim(), "3.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.error?.datasets.map((d) => [d.dataset, d.status])).toEqual([
      ["authnPolicies", 403],
      ["ipLists", 403],
    ]);
    expect(finding.summary).toMatch(
      /declare the plan \(--plan core\) to mark this control not applicable\.$/,
    );
  });

  it("NOT_APPLICABLE when the API answers 402 (not on plan)", async () => {
    sim().faults.add({ kind: "status", status: 402, path: "/api/v2/authn/policies" });
    sim().faults.add({ kind: "status", status: 402, path: "/api/v2/iplists" });
    const finding = await auditControl(sim(), "3.1");
    expect(finding.status).toBe("NOT_APPLICABLE");
    expect(finding.summary).toMatch(/answered 402/);
  });

  it("demo: FAIL on the trusted list containing 0.0.0.0/0, MANUAL on its private range", async () => {
    const finding = await auditPreset("demo", "3.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["0.0.0.0/0 in Partner ranges: trusted-range-breadth"]);
    expect(failing(finding, "MANUAL")).toEqual(["10.0.0.0/8 in Partner ranges: non-public-range"]);
    expect(finding.counts).toEqual({ PASS: 2, FAIL: 1, MANUAL: 1, MUTED: 0, ERROR: 0 });
    expect(finding.summary).toBe(
      "1 of 2 enabled conditional-access policies use network or location conditions (MFA Outside Corporate) with 2 trusted IP lists; too broad: 0.0.0.0/0 in Partner ranges; private or reserved: 10.0.0.0/8 in Partner ranges (expected at least one such policy and trusted entries public and no broader than /16 (IPv4) or /48 (IPv6)).",
    );
  });
});

/**
 * Pure audits over hand-built data: values of odd types or not reported never PASS (nor FAIL as if they
 * were false), and one check meeting data it cannot judge leaves the others' results standing.
 */
describe("3.1 on odd data (tolerant reading, check isolation)", () => {
  const NOW = new Date("2026-11-28T12:00:00.000Z");
  const LIMITS = { minIpv4PrefixLength: 16, minIpv6PrefixLength: 48 } as const;
  const policyDoc = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: "5f0500000000000000000001",
    name: "MFA Outside Corporate",
    disabled: false,
    type: "user_portal",
    conditions: { not: { ipAddressIn: ["5f0600000000000000000001"] } },
    effect: { action: "allow", obligations: { mfa: { required: true } } },
    targets: { users: { inclusions: ["ALL"] } },
    ...over,
  });
  const listDoc = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: "5f0600000000000000000001",
    name: "Corporate egress",
    ips: ["203.0.113.0/24"],
    ...over,
  });
  const run = (policies: unknown[], lists: unknown[] = [listDoc()]) => {
    const outcome = conditionalAccess.audit(
      { authnPolicies: policies as AuthnPolicy[], ipLists: lists as IpList[] },
      LIMITS,
      NOW,
    );
    return { ...outcome, status: statusFromResults(outcome.results) };
  };
  const row = (outcome: ReturnType<typeof run>, check: string) =>
    outcome.results.find((r) => r.check === check);
  const without = (key: string) => {
    const doc = policyDoc();
    delete doc[key];
    return doc;
  };

  it('PASS on the compliant shape, and a `disabled` sent as the string "false" is read as false', () => {
    expect(run([policyDoc()]).status).toBe("PASS");
    expect(run([policyDoc({ disabled: "false" })]).status).toBe("PASS");
  });

  it.each([
    ["a number", 0, "ERROR"],
    ["a word", "no", "ERROR"],
    ["a list", [], "ERROR"],
    ["an object", {}, "ERROR"],
    ["null", null, "MANUAL"],
  ])("`disabled` as %s is never PASS: %s", (_kind, value, status) => {
    const outcome = run([policyDoc({ disabled: value })]);
    expect(outcome.status).toBe(status);
    expect(row(outcome, "network-policy")).toMatchObject({
      status,
      message: expect.stringMatching(/disabled is /),
    });
  });

  it("`disabled` absent is not reported: MANUAL naming it, and the policy's lists are still judged", () => {
    const outcome = run([without("disabled")], [listDoc({ ips: ["0.0.0.0/0"] })]);
    expect(row(outcome, "network-policy")).toMatchObject({
      status: "MANUAL",
      message: expect.stringMatching(/disabled is not reported/),
    });
    // The list is only possibly trusted (the policy may be disabled): its broad entry is not a certain FAIL.
    expect(row(outcome, "trusted-range-breadth")).toMatchObject({
      status: "MANUAL",
      message: expect.stringMatching(
        /not judged a failure because for MFA Outside Corporate, disabled is not reported/,
      ),
    });
    expect(outcome.status).toBe("MANUAL");
  });

  it.each([
    ["a string", "not-an-object", /conditions is "not-an-object" \(expected an object\)/],
    ["a list", [{ ipAddressIn: ["x"] }], /conditions is \[.*\] \(expected an object\)/],
    ["`not` of a number", { not: 5 }, /conditions\.not is 5 \(expected an object\)/],
    [
      "`ipAddressIn` as a string",
      { not: { ipAddressIn: "5f06" } },
      /conditions\.not\.ipAddressIn is "5f06" \(expected a list\)/,
    ],
    [
      "`ipAddressIn` holding a number",
      { not: { ipAddressIn: [7] } },
      /conditions\.not\.ipAddressIn\[0\] is 7 \(expected a string\)/,
    ],
    ["`all` as an object", { all: { ipAddressIn: ["x"] } }, /conditions\.all is .* \(expected a list\)/],
    ["two keys in one expression", { ipAddressIn: ["x"], locationIn: { countries: ["US"] } }, /has 2 keys/],
    [
      "`locationIn` countries as a string",
      { locationIn: { countries: "US" } },
      /conditions\.locationIn\.countries is "US"/,
    ],
  ])("a condition tree with %s is never PASS, naming the path", (_kind, conditions, reason) => {
    const outcome = run([policyDoc({ conditions })]);
    expect(outcome.status).toBe("ERROR");
    expect(row(outcome, "network-policy")).toMatchObject({
      status: "ERROR",
      message: expect.stringMatching(reason),
    });
    expect(outcome.results.some((r) => r.status === "PASS" && r.check === "network-policy")).toBe(false);
  });

  it("an unknown condition kind that may hold a network condition is MANUAL, not FAIL", () => {
    const outcome = run([policyDoc({ conditions: { someNewOperator: [{ ipAddressIn: ["x"] }] } })]);
    expect(outcome.status).toBe("MANUAL");
    expect(row(outcome, "network-policy")?.message).toMatch(
      /kinds this audit does not know \(someNewOperator\)/,
    );
    expect(outcome.results.some((r) => r.status === "FAIL")).toBe(false);
  });

  it.each([
    ["a string", "203.0.113.0/24", "ERROR", /ips is "203\.0\.113\.0\/24" \(expected a list\)/],
    ["an object", { cidr: "203.0.113.0/24" }, "ERROR", /ips is \{.*\} \(expected a list\)/],
    ["null", null, "MANUAL", /ips is not reported/],
  ])("a trusted list whose `ips` is %s is never PASS", (_kind, ips, status, reason) => {
    const outcome = run([policyDoc()], [listDoc({ ips })]);
    expect(row(outcome, "trusted-list")).toMatchObject({ status, message: expect.stringMatching(reason) });
    expect(outcome.status).toBe(status);
  });

  it("an entry that is not a string is ERROR; the list's other entries are still judged", () => {
    const outcome = run([policyDoc()], [listDoc({ ips: [42, "0.0.0.0/0", "203.0.113.0/24"] })]);
    expect(outcome.results.map((r) => `${r.resourceName}: ${r.check}: ${r.status}`)).toEqual([
      "MFA Outside Corporate: network-policy: PASS",
      "entry 0 in Corporate egress: entry-format: ERROR",
      "0.0.0.0/0 in Corporate egress: trusted-range-breadth: FAIL",
    ]);
    expect(outcome.results[1]?.message).toMatch(/ips\[0\] is 42 \(expected a string\)/);
    expect(outcome.status).toBe("FAIL");
  });

  it("a reference is not called dangling when a list's id could not be read (it may be that list)", () => {
    const outcome = run([policyDoc()], [listDoc({ id: 12345 })]);
    expect(row(outcome, "ip-list-reference")).toMatchObject({
      status: "ERROR",
      message: expect.stringMatching(/1 IP list has no readable id and may be the one referenced/),
    });
    expect(outcome.results.some((r) => r.status === "FAIL")).toBe(false);
  });

  it("an unreadable `effect.action` leaves a plainly referenced list only possibly trusted: ERROR, not FAIL", () => {
    const outcome = run(
      [policyDoc({ conditions: { ipAddressIn: ["5f0600000000000000000001"] }, effect: { action: 7 } })],
      [listDoc({ ips: ["0.0.0.0/0"] })],
    );
    expect(row(outcome, "trusted-range-breadth")).toMatchObject({
      status: "ERROR",
      message: expect.stringMatching(/effect\.action is 7 \(expected a string\)/),
    });
    expect(outcome.status).toBe("ERROR");
  });

  it("a check meeting unjudgeable data leaves another check's FAIL standing: the control is FAIL", () => {
    const outcome = run(
      [
        policyDoc(),
        policyDoc({
          id: "5f0500000000000000000002",
          name: "Block old office",
          conditions: { not: { ipAddressIn: ["5f06000000000000000000ff"] } },
        }),
      ],
      [listDoc({ ips: "oops" })],
    );
    expect(outcome.status).toBe("FAIL");
    expect(outcome.results.filter((r) => r.status !== "PASS").map((r) => `${r.check}: ${r.status}`)).toEqual([
      "ip-list-reference: FAIL",
      "trusted-list: ERROR",
    ]);
    expect(outcome.summary).toMatch(/missing lists: Block old office → IP list 5f06000000000000000000ff/);
    expect(outcome.summary).toMatch(/not judged: Corporate egress/);
  });

  it("a policy that throws when read costs one check an ERROR, never the control's other results", () => {
    const exploding = policyDoc({ id: "5f0500000000000000000003", name: "Exploding" });
    Object.defineProperty(exploding, "conditions", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    const dangling = policyDoc({
      id: "5f0500000000000000000002",
      name: "Dangling",
      conditions: { not: { ipAddressIn: ["5f06000000000000000000ff"] } },
    });
    const outcome = run([exploding, dangling]);
    expect(outcome.status).toBe("FAIL");
    expect(outcome.results.find((r) => r.status === "FAIL")?.check).toBe("ip-list-reference");
    expect(outcome.results.some((r) => r.status === "ERROR" && r.check === "network-policy")).toBe(true);
    expect(typeof outcome.summary).toBe("string");
  });

  it("the planner plans nothing beside a policy whose condition could not be read", () => {
    const plan = conditionalAccess.remediation.plan?.(
      {
        authnPolicies: [policyDoc({ conditions: { any: { ipAddressIn: ["x"] } } })] as AuthnPolicy[],
        ipLists: [],
      },
      { trustedRanges: ["198.51.100.0/24"] },
    );
    expect(plan?.actions).toEqual([]);
    expect(plan?.warnings.join(" ")).toMatch(
      /could not be fully read and may already hold a network condition/,
    );
  });
});
