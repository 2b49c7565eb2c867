/** A KMS HMAC key behind aws-sdk-client-mock: GenerateMac and VerifyMac over one random key, as KMS answers them. */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  GenerateMacCommand,
  type KMSClientResolvedConfig,
  KMSInvalidMacException,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  VerifyMacCommand,
} from "@aws-sdk/client-kms";
import type { AwsStub } from "aws-sdk-client-mock";

/** The ARN the tests configure as REMEDIATION_SEAL_KEY_ARN. */
export const SEAL_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-0b0a-0908-0706-050403020100";

/** Serves the mocked client's MAC calls with a key only this fake knows; other key ids or algorithms fail. */
export function fakeKms(kms: AwsStub<ServiceInputTypes, ServiceOutputTypes, KMSClientResolvedConfig>): void {
  const key = randomBytes(32);
  const check = (input: { KeyId?: string; MacAlgorithm?: string }) => {
    if (input.KeyId !== SEAL_KEY_ARN || input.MacAlgorithm !== "HMAC_SHA_256")
      throw Object.assign(new Error("fake KMS: wrong key or algorithm"), {
        name: "InvalidKeyUsageException",
      });
  };
  const mac = (message: Uint8Array) => createHmac("sha256", key).update(message).digest();
  kms.on(GenerateMacCommand).callsFake(async (input) => {
    check(input);
    return { Mac: mac(input.Message as Uint8Array), KeyId: SEAL_KEY_ARN, MacAlgorithm: "HMAC_SHA_256" };
  });
  kms.on(VerifyMacCommand).callsFake(async (input) => {
    check(input);
    const expected = mac(input.Message as Uint8Array);
    const given = Buffer.from(input.Mac as Uint8Array);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new KMSInvalidMacException({ message: "The MAC is not valid", $metadata: {} });
    return { MacValid: true, KeyId: SEAL_KEY_ARN, MacAlgorithm: "HMAC_SHA_256" };
  });
}
