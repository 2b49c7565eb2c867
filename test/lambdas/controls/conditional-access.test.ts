import { describe, expect, it } from "vitest";
import { EngineError } from "../../../lambdas/engine/errors.js";
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
