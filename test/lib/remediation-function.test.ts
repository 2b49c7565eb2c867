/** The remediation function's seal key: an HMAC key only the remediation role can use, handed to the function. */
import type { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import {
  logicalId,
  type PolicyDocument,
  type PolicyStatement,
  refId,
  resource,
  resources,
  synth,
} from "./synth.js";

let template: Template;
beforeAll(() => {
  ({ template } = synth());
});

const sealKeyId = () => logicalId(template, "AWS::KMS::Key", "RemediationSealKey");
const functionId = () => logicalId(template, "AWS::Lambda::Function", "RemediationRemediateFunction");
const roleId = () => refId(resource(template, functionId()).Properties.Role) as string;
const actionsOf = (statement: PolicyStatement) => [statement.Action].flat();
/** Whether an action pattern covers GenerateMac or VerifyMac. */
const coversMac = (action: string) =>
  ["kms:GenerateMac", "kms:VerifyMac"].some((mac) =>
    new RegExp(`^${action.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(mac),
  );

describe("the remediation seal key", () => {
  it("is an HMAC_256 key for GenerateMac/VerifyMac, kept when the stack is deleted", () => {
    const key = resource(template, sealKeyId());
    expect(key.Properties).toMatchObject({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
    expect(key.Properties.EnableKeyRotation).toBeUndefined(); // KMS cannot rotate HMAC keys
    expect(key.DeletionPolicy).toBe("Retain");
  });

  it("lets only the remediation role generate and verify MACs, with HMAC_SHA_256", () => {
    const policy = resource(template, sealKeyId()).Properties.KeyPolicy as PolicyDocument;
    const users = policy.Statement.filter((s) => s.Effect === "Allow" && actionsOf(s).some(coversMac));
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({
      Action: ["kms:GenerateMac", "kms:VerifyMac"],
      Principal: { AWS: { "Fn::GetAtt": [roleId(), "Arn"] } },
      Condition: { StringEquals: { "kms:MacAlgorithm": "HMAC_SHA_256" } },
    });
  });

  it("lets the account administer the key but neither use it nor grant its use", () => {
    const policy = resource(template, sealKeyId()).Properties.KeyPolicy as PolicyDocument;
    const account = policy.Statement.filter((s) => JSON.stringify(s.Principal).includes(":root"));
    expect(account).toHaveLength(1);
    const actions = actionsOf(account[0] as PolicyStatement);
    expect(actions.filter(coversMac)).toEqual([]);
    expect(actions).not.toContain("kms:*");
    expect(actions.filter((a) => /^kms:Create(\*|Grant)$/.test(a))).toEqual([]);
  });

  it("is used through no IAM policy (the key policy names the role; no role may use it by IAM)", () => {
    for (const policy of Object.values(resources(template, "AWS::IAM::Policy"))) {
      const document = policy.Properties.PolicyDocument as PolicyDocument;
      for (const statement of document.Statement) {
        expect(JSON.stringify(statement.Resource ?? null)).not.toContain(sealKeyId());
        expect(actionsOf(statement).filter(coversMac)).toEqual([]);
      }
    }
  });

  it("is given to the remediation function, and to no other function", () => {
    for (const [id, fn] of Object.entries(resources(template, "AWS::Lambda::Function"))) {
      const variables = (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      if (id === functionId())
        expect(variables?.REMEDIATION_SEAL_KEY_ARN).toEqual({ "Fn::GetAtt": [sealKeyId(), "Arn"] });
      else expect(variables ?? {}).not.toHaveProperty("REMEDIATION_SEAL_KEY_ARN");
    }
  });
});
