/**
 * Least privilege, role by role: each function's role holds exactly the permissions its code needs (read
 * from `lambdas/adapters/*-store.ts`, `lambdas/store`, `lambdas/service/state-store.ts` and the detection
 * checkpoint), and no role anywhere holds legal-hold or retention writes, a bucket-wide listing, a delete
 * family, `kms:Encrypt` or `kms:ReEncrypt*`.
 */
import type { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { CONTROLS } from "../../lambdas/controls/registry.js";
import { checkpointKey } from "../../lambdas/detections/service.js";
import { remediationKeys } from "../../lambdas/remediation/record.js";
import { stateKeys } from "../../lambdas/service/state-store.js";
import { layout } from "../../lambdas/store/findings-store.js";
import { auditObjectKeys } from "../../lib/audit-function.js";
import { auditConstructId } from "../../lib/audit-stack.js";
import {
  logicalId,
  type PolicyDocument,
  type PolicyStatement,
  refId,
  resource,
  resources,
  synth,
} from "./synth.js";

/** A CloudFormation value as text: `arn(LogicalId)`, `ref(LogicalId)`, `<AWS::Region>`, joins concatenated. */
function text(value: unknown): string {
  if (typeof value === "string") return value;
  const object = value as Record<string, unknown>;
  if (Array.isArray(object["Fn::GetAtt"])) return `arn(${(object["Fn::GetAtt"] as string[])[0]})`;
  if (typeof object.Ref === "string")
    return object.Ref.startsWith("AWS::") ? `<${object.Ref}>` : `ref(${object.Ref})`;
  if (Array.isArray(object["Fn::Join"])) {
    const [separator, parts] = object["Fn::Join"] as [string, unknown[]];
    return parts.map(text).join(separator);
  }
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

/** One permission per action and resource: `action resource`, plus ` if {condition}` when conditional. */
function permissions(statements: readonly PolicyStatement[]): string[] {
  const all = statements.flatMap((statement) => {
    expect(statement.Effect).toBe("Allow");
    const condition = statement.Condition ? ` if ${JSON.stringify(statement.Condition)}` : "";
    return [statement.Action]
      .flat()
      .flatMap((action) =>
        [statement.Resource].flat().map((resourceValue) => `${action} ${text(resourceValue)}${condition}`),
      );
  });
  return [...new Set(all)].sort();
}

/** The role of a function, and the statements of every identity policy attached to it. */
function roleOf(template: Template, functionPrefix: string) {
  const functionId = logicalId(template, "AWS::Lambda::Function", functionPrefix);
  const roleId = refId(resource(template, functionId).Properties.Role) as string;
  const role = resource(template, roleId);
  const policies = Object.values(resources(template, "AWS::IAM::Policy")).filter((policy) =>
    (policy.Properties.Roles as unknown[]).some((r) => refId(r) === roleId),
  );
  const statements = policies.flatMap(
    (policy) => (policy.Properties.PolicyDocument as PolicyDocument).Statement,
  );
  return { functionId, roleId, role, policies, statements };
}

let template: Template;
let ids: {
  bucket: string;
  findingsKey: string;
  alertsKey: string;
  topic: string;
  queue: string;
  auditSecret: string;
  remediationSecret: string;
};
beforeAll(() => {
  ({ template } = synth());
  ids = {
    bucket: logicalId(template, "AWS::S3::Bucket", "FindingsBucket"),
    findingsKey: logicalId(template, "AWS::KMS::Key", "FindingsKey"),
    alertsKey: logicalId(template, "AWS::KMS::Key", "AlertsKey"),
    topic: logicalId(template, "AWS::SNS::Topic", "AlertsTopic"),
    queue: logicalId(template, "AWS::SQS::Queue", "DeadLetters"),
    auditSecret: logicalId(template, "AWS::SecretsManager::Secret", "AuditApiKeySecret"),
    remediationSecret: logicalId(template, "AWS::SecretsManager::Secret", "RemediationApiKeySecret"),
  };
});

/** What every function's role holds: its log stream, the dead-letter queue, the topic, their key. */
function common(logGroupId: string): string[] {
  return [
    `logs:CreateLogStream arn(${logGroupId})`,
    `logs:PutLogEvents arn(${logGroupId})`,
    `sqs:SendMessage arn(${ids.queue})`,
    `kms:Decrypt arn(${ids.alertsKey})`,
    `kms:GenerateDataKey arn(${ids.alertsKey})`,
    `kms:GenerateDataKey* arn(${ids.alertsKey})`,
    `sns:Publish ref(${ids.topic})`,
  ];
}
const object = (key: string) => `arn(${ids.bucket})/${key}`;
const bucketKey = () => [
  `kms:Decrypt arn(${ids.findingsKey})`,
  `kms:GenerateDataKey arn(${ids.findingsKey})`,
];
const listing = (prefixes: string[]) =>
  `s3:ListBucket arn(${ids.bucket}) if ${JSON.stringify({ StringLike: { "s3:prefix": prefixes } })}`;
const logGroupOf = (prefix: string) => logicalId(template, "AWS::Logs::LogGroup", prefix);

describe("each audit function's role", () => {
  it.each(CONTROLS.map((control) => control.id))(
    "reads and writes only control %s's findings, state and markers, and run reports",
    (controlId) => {
      const prefix = auditConstructId(controlId).replace(/-/g, "");
      const { statements, policies, role } = roleOf(template, `${prefix}AuditFunction`);
      const own = (folder: string) => `${folder}/*/${controlId}/*`;
      expect(permissions(statements)).toEqual(
        [
          ...common(logGroupOf(`${prefix}AuditLogs`)),
          `secretsmanager:DescribeSecret ref(${ids.auditSecret})`,
          `secretsmanager:GetSecretValue ref(${ids.auditSecret})`,
          ...["findings", "state", "events"].map((folder) => `s3:GetObject ${object(own(folder))}`),
          ...["findings", "state", "events"].map((folder) => `s3:PutObject ${object(own(folder))}`),
          `s3:PutObject ${object("runs/*")}`,
          // History entries are written with a Tagging header (the lifecycle expires them by tag).
          `s3:PutObjectTagging ${object(own("findings"))}`,
          listing(
            ["findings", "state", "events"].flatMap((folder) => [
              `${folder}/*/${controlId}/`,
              `${folder}/*/${controlId}/*`,
            ]),
          ),
          ...bucketKey(),
        ].sort(),
      );
      expect(policies).toHaveLength(1);
      expect(role.Properties).not.toHaveProperty("Policies");
      expect(role.Properties).not.toHaveProperty("ManagedPolicyArns");
    },
  );

  it("may import into Security Hub only with jcAudit:securityHub, only BatchImportFindings on the default product", () => {
    const product =
      "arn:<AWS::Partition>:securityhub:<AWS::Region>:<AWS::AccountId>:product/<AWS::AccountId>/default";
    const on = synth({ "jcAudit:securityHub": true }).template;
    for (const control of CONTROLS) {
      const prefix = auditConstructId(control.id).replace(/-/g, "");
      const { statements, functionId } = roleOf(on, `${prefix}AuditFunction`);
      const securityHub = permissions(statements).filter((p) => p.startsWith("securityhub:"));
      expect(securityHub).toEqual([`securityhub:BatchImportFindings ${product}`]);
      const variables = (resource(on, functionId).Properties.Environment as { Variables: object }).Variables;
      expect(text((variables as Record<string, unknown>).SECURITY_HUB_PRODUCT_ARN)).toBe(product);
    }
    for (const policy of Object.values(resources(template, "AWS::IAM::Policy")))
      expect(JSON.stringify(policy.Properties.PolicyDocument)).not.toContain("securityhub:");
    for (const fn of Object.values(resources(template, "AWS::Lambda::Function")))
      expect(JSON.stringify(fn.Properties.Environment)).not.toContain("SECURITY_HUB_PRODUCT_ARN");
  });

  it("adds X-Ray's two actions, on *, only with tracing", () => {
    const traced = synth({ "jcAudit:tracing": true }).template;
    const { statements } = roleOf(traced, "Audit11AuditFunction");
    expect(permissions(statements).filter((p) => p.endsWith(" *"))).toEqual([
      "xray:PutTelemetryRecords *",
      "xray:PutTraceSegments *",
    ]);
  });
});

describe("the detection function's role", () => {
  it("reads and writes only each organization's detection checkpoint", () => {
    const { statements, policies } = roleOf(template, "DetectionDetectFunction");
    const checkpoint = object("state/*/detections/checkpoint.json");
    expect(permissions(statements)).toEqual(
      [
        ...common(logGroupOf("DetectionDetectLogs")),
        `secretsmanager:DescribeSecret ref(${ids.auditSecret})`,
        `secretsmanager:GetSecretValue ref(${ids.auditSecret})`,
        `s3:GetObject ${checkpoint}`,
        `s3:PutObject ${checkpoint}`,
        listing(["state/*/detections/", "state/*/detections/*"]),
        ...bucketKey(),
      ].sort(),
    );
    expect(policies).toHaveLength(1);
  });
});

describe("the remediation function's role", () => {
  it("reads and writes remediations/ only, and deletes nothing but the organization locks", () => {
    const { statements, policies } = roleOf(template, "RemediationRemediateFunction");
    expect(permissions(statements)).toEqual(
      [
        ...common(logGroupOf("RemediationRemediateLogs")),
        `secretsmanager:DescribeSecret ref(${ids.remediationSecret})`,
        `secretsmanager:GetSecretValue ref(${ids.remediationSecret})`,
        `s3:GetObject ${object("remediations/*")}`,
        `s3:PutObject ${object("remediations/*")}`,
        `s3:DeleteObject ${object("remediations/*/lock.json")}`,
        listing(["remediations/", "remediations/*"]),
        ...bucketKey(),
      ].sort(),
    );
    expect(policies).toHaveLength(1);
  });
});

/** Whether an IAM resource or `s3:prefix` pattern (`*` any run of characters, `?` one) matches `key`. */
const matches = (pattern: string, key: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  ).test(key);

describe("the granted key patterns cover every key the code uses", () => {
  const org = "5f3c1e2d4b6a798012345678";
  const controlId = "1.1";
  const time = "2026-01-02T03:04:05.678Z";

  it("for an audit: every findings layout and state key of its control, and its run reports", () => {
    const keys = auditObjectKeys(controlId);
    const granted = [...keys.read, ...keys.write, ...keys.writeTagged];
    const used = [
      ...Object.values(layout).map((key) => key(org, controlId, time)),
      ...Object.values(stateKeys).map((key) => key(org, controlId, "evt/1 2")),
      // The health streak of an organization that could not be resolved.
      stateKeys.health("unresolved", controlId),
    ];
    expect(used.length).toBeGreaterThan(8);
    for (const key of used)
      expect(
        granted.some((pattern) => matches(pattern, key)),
        key,
      ).toBe(true);
    for (const key of used.filter((k) => !k.startsWith("runs/")))
      expect(
        keys.read.some((pattern) => matches(pattern, key)),
        key,
      ).toBe(true);
    // History is tagged on write and listed when scanned.
    expect(matches(keys.writeTagged[0] as string, layout.history(org, controlId, time))).toBe(true);
    expect(keys.list.some((prefix) => matches(`${prefix}*`, layout.historyPrefix(org, controlId)))).toBe(
      true,
    );
    // And nothing of another control.
    for (const key of [layout.latest(org, "1.10"), stateKeys.health(org, "2.1"), layout.latest(org, "11")])
      expect(
        granted.some((pattern) => matches(pattern, key)),
        key,
      ).toBe(false);
  });

  it("for the detection and the remediation: their checkpoint, records, markers and lock", () => {
    expect(matches("state/*/detections/checkpoint.json", checkpointKey(org))).toBe(true);
    for (const key of [
      remediationKeys.plan(org, "rp-20260102-abcdef"),
      remediationKeys.marker(org, "rp-20260102-abcdef", 3),
      remediationKeys.lock(org),
    ])
      expect(matches("remediations/*", key), key).toBe(true);
    expect(matches("remediations/*/lock.json", remediationKeys.lock(org))).toBe(true);
    expect(matches("remediations/*/lock.json", remediationKeys.plan(org, "rp-20260102-abcdef"))).toBe(false);
  });
});

describe("no role anywhere", () => {
  const variants: Array<[string, Record<string, unknown>]> = [
    ["the default deployment", {}],
    [
      "every option on",
      {
        "jcAudit:securityHub": true,
        "jcAudit:tracing": true,
        "jcAudit:objectLockDays": 30,
        "jcAudit:slackWorkspaceId": "T0123ABCD",
        "jcAudit:slackChannelId": "C0123ABCD",
        "jcAudit:reservedConcurrency": "none",
      },
    ],
  ];

  /** Every statement granting a role something: identity policies, and key policies naming a role. */
  function roleStatements(variant: Template): Array<{ where: string; statement: PolicyStatement }> {
    const roleIds = new Set(Object.keys(resources(variant, "AWS::IAM::Role")));
    const identity = Object.entries(resources(variant, "AWS::IAM::Policy")).flatMap(([id, policy]) =>
      (policy.Properties.PolicyDocument as PolicyDocument).Statement.map((statement) => ({
        where: id,
        statement,
      })),
    );
    const keyPolicies = Object.entries(resources(variant, "AWS::KMS::Key")).flatMap(([id, key]) =>
      (key.Properties.KeyPolicy as PolicyDocument).Statement.filter((statement) =>
        [statement.Principal === "*" ? undefined : statement.Principal?.AWS]
          .flat()
          .some((principal) => roleIds.has(refId(principal) ?? "")),
      ).map((statement) => ({ where: id, statement })),
    );
    return [...identity, ...keyPolicies];
  }

  it.each(variants)("holds a forbidden permission in %s", (_name, context) => {
    const variant = context && Object.keys(context).length > 0 ? synth(context).template : template;
    const found = roleStatements(variant);
    expect(found.length).toBeGreaterThan(20);
    for (const { where, statement } of found) {
      for (const action of [statement.Action].flat()) {
        const label = `${action} in ${where}`;
        expect(action, label).not.toMatch(/^s3:(PutObjectLegalHold|PutObjectRetention|BypassGovernance)/);
        expect(action, label).not.toMatch(/^s3:Delete.*\*|^s3:DeleteObjectVersion|^s3:DeleteBucket/);
        expect(action, label).not.toMatch(/^kms:(Encrypt|ReEncrypt)/);
        expect(action, label).not.toMatch(/^(s3|kms|sns|sqs|secretsmanager|securityhub|logs):\*$|^\*$/);
        expect(action, label).not.toMatch(/^s3:(List\*|Abort\*|GetObject\*|GetBucket\*|PutObject\*)$/);
        // Listing is always limited to prefixes.
        if (action === "s3:ListBucket") expect(statement.Condition, label).toHaveProperty("StringLike");
        if (action === "s3:DeleteObject") expect(JSON.stringify(statement.Resource)).toMatch(/lock\.json/);
      }
      for (const resourceValue of [statement.Resource].flat()) {
        // No statement on every object of the bucket.
        if (resourceValue !== undefined && resourceValue !== "*")
          expect(text(resourceValue), where).not.toMatch(/^arn\(FindingsBucket[^)]*\)\/\*$/);
      }
    }
  });
});
