/** The ASFF mapping: statuses, ids, fields and limits, each finding checked against the ASFF schema. */
import { describe, expect, it } from "vitest";
import type { ResourceResult } from "../../../lambdas/controls/types.js";
import {
  asffFindings,
  controlFindingId,
  idSegment,
  MAX_ID,
  parseFindingId,
  productTarget,
  resultFindingId,
  vanishedFinding,
} from "../../../lambdas/securityhub/asff.js";
import { REDACTED } from "../../../lambdas/shared/output-safety.js";
import { finding, row } from "../../helpers/findings.js";
import { HOSTILE, UNSAFE_IN_LINE } from "../shared/hostile.js";
import { expectValidAsff } from "./asff-schema.js";

const ARN = "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default";
const TARGET = productTarget(ARN);
const ORG = "5f0000000000000000000001";

/** The findings of one control run with the given results, checked against the schema. */
function asff(results: ResourceResult[], overrides: Parameters<typeof finding>[1] = {}) {
  const out = asffFindings(finding(results, overrides), TARGET);
  expectValidAsff(out);
  return out;
}

/** Every string value in a finding, with its path. */
function strings(value: unknown, path = ""): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  return [];
}

describe("asffFindings: one finding per result", () => {
  it("maps a FAIL to a FAILED, ACTIVE, NEW finding with the control's severity, mappings and guide steps", () => {
    const [f] = asff([row("FAIL", "erin.admin")]);
    expect(f).toMatchObject({
      SchemaVersion: "2018-10-08",
      Id: `jc-audit/${ORG}/1.1/admin/erin.admin/admin-mfa`,
      ProductArn: ARN,
      AwsAccountId: "123456789012",
      Region: "eu-west-1",
      GeneratorId: "jc-audit/control/1.1/admin-mfa",
      Types: [
        "Software and Configuration Checks/Industry and Regulatory Standards/JumpCloud Hardening Guide",
      ],
      CreatedAt: "2026-11-28T12:00:00.000Z",
      UpdatedAt: "2026-11-28T12:00:00.000Z",
      Severity: { Label: "CRITICAL", Original: "critical" },
      FindingProviderFields: { Severity: { Label: "CRITICAL", Original: "critical" } },
      Title: "1.1 Secure Admin Portal Access: admin erin.admin@example.com (admin-mfa)",
      Description: "MFA not required",
      Compliance: {
        Status: "FAILED",
        RelatedRequirements: ["CIS Controls v8 5.4", "NIST SP 800-53 Rev 5 AC-6(1)", "SOC 2 CC6.1"],
      },
      RecordState: "ACTIVE",
      Workflow: { Status: "NEW" },
      Resources: [
        {
          Type: "Other",
          Id: `jumpcloud/${ORG}/admin/erin.admin`,
          Details: {
            Other: {
              jumpcloudType: "admin",
              jumpcloudId: "erin.admin",
              name: "erin.admin@example.com",
              check: "admin-mfa",
              status: "FAIL",
            },
          },
        },
      ],
      ProductFields: {
        "jc-audit/OrgId": ORG,
        "jc-audit/ControlId": "1.1",
        "jc-audit/Check": "admin-mfa",
        "jc-audit/Status": "FAIL",
        "jc-audit/ControlStatus": "FAIL",
        "jc-audit/Level": "L1",
        "jc-audit/RunId": "20261128T120000Z-abc123",
      },
    });
    expect(f?.Remediation?.Recommendation?.Text).toMatch(
      /^1\. JumpCloud Admin Portal → Security → MFA for Admins: enable Require MFA for Admin Portal\n2\. /,
    );
  });

  it.each([
    ["PASS", "PASSED", "ARCHIVED", "RESOLVED", "INFORMATIONAL"],
    ["MANUAL", "WARNING", "ACTIVE", "NEW", "CRITICAL"],
    ["ERROR", "NOT_AVAILABLE", "ACTIVE", "NEW", "CRITICAL"],
    ["MUTED", "FAILED", "ACTIVE", "SUPPRESSED", "CRITICAL"],
  ] as const)("maps %s to %s, %s, %s, %s", (status, compliance, record, workflow, label) => {
    const [f] = asff([row(status, "bob.admin")]);
    expect(f?.Compliance?.Status).toBe(compliance);
    expect(f?.RecordState).toBe(record);
    expect(f?.Workflow?.Status).toBe(workflow);
    expect(f?.Severity?.Label).toBe(label);
  });

  it("says which exception muted a result", () => {
    const [f] = asff([
      row("MUTED", "bob.admin", {
        mutedBy: { reason: "break-glass account", owner: "secops", expires: "2027-01-01" },
      }),
    ]);
    expect(f?.ProductFields).toMatchObject({
      "jc-audit/ExceptionReason": "break-glass account",
      "jc-audit/ExceptionOwner": "secops",
      "jc-audit/ExceptionExpires": "2027-01-01",
    });
  });

  it("maps the control's severity: high → HIGH, medium → MEDIUM, low → LOW", () => {
    for (const [severity, label] of [
      ["high", "HIGH"],
      ["medium", "MEDIUM"],
      ["low", "LOW"],
    ] as const) {
      expect(asff([row("FAIL", "a")], { severity })[0]?.Severity?.Label).toBe(label);
    }
  });

  it("masks secret-looking observed values and keeps the rest", () => {
    const [f] = asff([
      row("FAIL", "radius-1", {
        observed: { sharedSecret: "hunter2-very-secret", mfa: false },
        expected: "on",
      }),
    ]);
    const other = f?.Resources?.[0]?.Details?.Other ?? {};
    expect(other.observed).toContain(REDACTED);
    expect(other.observed).toContain('"mfa":false');
    expect(JSON.stringify(f)).not.toContain("hunter2");
    expect(other.expected).toBe("on");
  });

  it("gives the same result the same id in every run, and each org/control/resource/check its own", () => {
    const base = resultFindingId(ORG, "1.1", row("FAIL", "a"));
    expect(
      asff([row("FAIL", "a")], { runId: "other-run", evaluatedAt: "2026-12-01T00:00:00.000Z" })[0]?.Id,
    ).toBe(base);
    const variants = [
      resultFindingId("5f0000000000000000000002", "1.1", row("FAIL", "a")),
      resultFindingId(ORG, "2.1", row("FAIL", "a")),
      resultFindingId(ORG, "1.1", row("FAIL", "a", { resourceType: "user" })),
      resultFindingId(ORG, "1.1", row("FAIL", "b")),
      resultFindingId(ORG, "1.1", row("FAIL", "a", { check: "totp" })),
      controlFindingId(ORG, "1.1"),
    ];
    expect(new Set([base, ...variants]).size).toBe(7);
  });
});

describe("asffFindings: hostile resource ids and names", () => {
  it("keeps ids that look like separators, escapes or hashes apart", () => {
    const ids = [
      resultFindingId(ORG, "1.1", { resourceType: "admin", resourceId: "a/b", check: "c" }),
      resultFindingId(ORG, "1.1", { resourceType: "admin/a", resourceId: "b", check: "c" }),
      resultFindingId(ORG, "1.1", { resourceType: "admin", resourceId: "a", check: "b/c" }),
      resultFindingId(ORG, "1.1", { resourceType: "admin", resourceId: "%u002F", check: "c" }),
      resultFindingId(ORG, "1.1", { resourceType: "admin", resourceId: "/", check: "c" }),
      resultFindingId(ORG, "1.1", {
        resourceType: "admin",
        resourceId: `sha256:${"0".repeat(64)}`,
        check: "c",
      }),
      resultFindingId(ORG, "1.1", { resourceType: "admin", resourceId: "", check: "c" }),
      resultFindingId(ORG, "1.1", { resourceType: "admin", resourceId: "\ud800", check: "c" }),
      resultFindingId(ORG, "1.1", { resourceType: "admin", resourceId: "\ufffd", check: "c" }),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id.split("/")).toHaveLength(6);
  });

  it("hashes a long id to stay within 512 characters, stable and distinct", () => {
    const long = "A".repeat(60_000);
    const id = resultFindingId(ORG, "1.1", { resourceType: "admin", resourceId: long, check: "c" });
    expect(id.length).toBeLessThanOrEqual(MAX_ID);
    expect(id).toMatch(/\/sha256:[0-9a-f]{64}\/c$/);
    expect(resultFindingId(ORG, "1.1", { resourceType: "admin", resourceId: long, check: "c" })).toBe(id);
    expect(
      resultFindingId(ORG, "1.1", { resourceType: "admin", resourceId: `${long}B`, check: "c" }),
    ).not.toBe(id);
    // A near-limit id made only of escaped characters is hashed too.
    expect(idSegment("/".repeat(20))).toMatch(/^sha256:/);
    expect(idSegment("/".repeat(16))).toBe("%u002F".repeat(16));
  });

  it("writes every hostile name and id as valid, one-line ASFF", () => {
    const results = Object.entries(HOSTILE).map(([key, value]) =>
      row("FAIL", value, { resourceName: value, message: `${key}: ${value}`, observed: value }),
    );
    const out = asff(results, { title: HOSTILE.bidi, summary: HOSTILE.long });
    expect(new Set(out.map((f) => f.Id)).size).toBe(results.length);
    for (const f of out) {
      for (const [path, value] of strings(f)) {
        if (path === ".Remediation.Recommendation.Text") continue;
        expect(value, path).not.toMatch(UNSAFE_IN_LINE);
      }
      expect(JSON.stringify(f)).not.toContain("\u001b");
    }
  });

  it("caps the title, description and details of a huge name and message", () => {
    const [f] = asff([
      row("FAIL", "x", {
        resourceName: HOSTILE.long,
        message: HOSTILE.long,
        observed: { list: [HOSTILE.long] },
      }),
    ]);
    // The name is cut, the check that failed stays readable.
    expect(f?.Title).toBe(`1.1 Secure Admin Portal Access: admin ${"A".repeat(119)}… (admin-mfa)`);
    expect(f?.Description).toBe(`${"A".repeat(1023)}…`);
    // Far below Security Hub's 240 KB per finding and 6 MB per batch of 100.
    expect(Buffer.byteLength(JSON.stringify(f))).toBeLessThan(20_000);
  });
});

describe("asffFindings: a control without results", () => {
  it.each([
    ["ERROR", "NOT_AVAILABLE", "ACTIVE", "NEW", "CRITICAL"],
    ["NOT_APPLICABLE", "NOT_AVAILABLE", "ARCHIVED", "RESOLVED", "INFORMATIONAL"],
    ["PASS", "PASSED", "ARCHIVED", "RESOLVED", "INFORMATIONAL"],
    ["MANUAL", "WARNING", "ACTIVE", "NEW", "CRITICAL"],
  ] as const)(
    "is one control-level finding: %s → %s, %s, %s, %s",
    (status, compliance, record, workflow, label) => {
      const out = asff([], {
        status,
        summary: "Could not evaluate: users: HTTP 500",
        ...(status === "ERROR" ? { error: { code: "SERVER_ERROR", message: "HTTP 500", datasets: [] } } : {}),
      });
      expect(out).toHaveLength(1);
      expect(out[0]).toMatchObject({
        Id: `jc-audit/${ORG}/1.1/control`,
        GeneratorId: "jc-audit/control/1.1",
        Description: "Could not evaluate: users: HTTP 500",
        Resources: [{ Type: "Other", Id: `jumpcloud/${ORG}` }],
        Compliance: { Status: compliance },
        RecordState: record,
        Workflow: { Status: workflow },
        Severity: { Label: label },
      });
      if (status === "ERROR")
        expect(out[0]?.Title).toBe("1.1 Secure Admin Portal Access: ERROR (SERVER_ERROR)");
    },
  );
});

describe("parseFindingId: ids read back from the bucket", () => {
  it("reads back every id it writes, hostile ones included", () => {
    for (const value of [...Object.values(HOSTILE), "a/b", "\ud800", ""]) {
      const id = resultFindingId(ORG, "1.1", {
        resourceType: "admin",
        resourceId: value,
        check: "admin-mfa",
      });
      const parsed = parseFindingId(id, ORG, "1.1");
      expect(parsed?.id).toBe(id);
      expect(parsed?.resource?.check).toBe("admin-mfa");
      expect(parsed?.resource?.resourceId).toBe(
        value.length > 16 && id.includes("sha256:") ? undefined : value,
      );
    }
    expect(parseFindingId(controlFindingId(ORG, "1.1"), ORG, "1.1")).toEqual({
      id: controlFindingId(ORG, "1.1"),
    });
  });

  it.each([
    ["another organization", `jc-audit/5f0000000000000000000002/1.1/admin/a/admin-mfa`],
    ["another control", `jc-audit/${ORG}/2.1/admin/a/admin-mfa`],
    ["another prefix", `prowler/${ORG}/1.1/admin/a/admin-mfa`],
    ["an extra segment", `jc-audit/${ORG}/1.1/admin/a/b/admin-mfa`],
    ["a missing segment", `jc-audit/${ORG}/1.1/admin/admin-mfa`],
    ["a raw character we escape", `jc-audit/${ORG}/1.1/admin/a b/admin-mfa`],
    ["a non-canonical escape", `jc-audit/${ORG}/1.1/admin/%u0061/admin-mfa`],
    ["a malformed hash", `jc-audit/${ORG}/1.1/admin/sha256:xyz/admin-mfa`],
    ["a control-level look-alike", `jc-audit/${ORG}/1.1/controls`],
    ["too long", `jc-audit/${ORG}/1.1/admin/${"a".repeat(96)}/${"b".repeat(400)}`],
    ["not a string", 42],
  ])("refuses %s", (_name, id) => {
    expect(parseFindingId(id, ORG, "1.1")).toBeUndefined();
  });
});

describe("vanishedFinding", () => {
  const id = resultFindingId(ORG, "1.1", row("FAIL", "gone.admin"));
  const parsed = parseFindingId(id, ORG, "1.1");
  if (!parsed) throw new Error("own id not parsed");

  it("archives and resolves it as NOT_AVAILABLE (never PASSED: it was not read)", () => {
    const f = vanishedFinding(parsed, finding([row("PASS", "bob.admin")]), TARGET);
    expectValidAsff([f]);
    expect(f).toMatchObject({
      Id: id,
      Compliance: { Status: "NOT_AVAILABLE" },
      RecordState: "ARCHIVED",
      Workflow: { Status: "RESOLVED" },
      Severity: { Label: "INFORMATIONAL" },
      Title: "1.1 Secure Admin Portal Access: admin gone.admin",
      Resources: [{ Type: "Other", Id: `jumpcloud/${ORG}/admin/gone.admin` }],
    });
    expect(f.Description).toContain("the resource was removed or is out of scope");
  });

  it("says it may be a passing result left out of a large finding", () => {
    const trimmed = finding([row("PASS", "bob.admin")], { omitted: { PASS: 1200 } });
    expect(vanishedFinding(parsed, trimmed, TARGET).Description).toContain(
      "one of the 1200 passing results left out",
    );
  });

  it("archives a control-level finding once the control has results again", () => {
    const control = parseFindingId(controlFindingId(ORG, "1.1"), ORG, "1.1");
    if (!control) throw new Error("own id not parsed");
    const f = vanishedFinding(control, finding([row("PASS", "a")]), TARGET);
    expectValidAsff([f]);
    expect(f).toMatchObject({ RecordState: "ARCHIVED", Resources: [{ Id: `jumpcloud/${ORG}` }] });
  });
});

describe("productTarget", () => {
  it("reads the account and region of the default product ARN", () => {
    expect(
      productTarget("arn:aws-us-gov:securityhub:us-gov-west-1:123456789012:product/123456789012/default"),
    ).toEqual({
      productArn: "arn:aws-us-gov:securityhub:us-gov-west-1:123456789012:product/123456789012/default",
      accountId: "123456789012",
      region: "us-gov-west-1",
    });
  });

  it("refuses another account's or another product's ARN", () => {
    expect(() =>
      productTarget("arn:aws:securityhub:us-east-1:123456789012:product/210987654321/default"),
    ).toThrow("Invalid Security Hub product ARN");
    expect(() => productTarget("arn:aws:securityhub:us-east-1::product/prowler/prowler")).toThrow();
  });
});
