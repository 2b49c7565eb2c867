/** Seals remediation records with the stack's KMS HMAC key (GenerateMac / VerifyMac, HMAC_SHA_256). */
import { GenerateMacCommand, type KMSClient, VerifyMacCommand } from "@aws-sdk/client-kms";
import type { RecordSealer } from "../remediation/seal.js";

/** A sealer over one HMAC_256 key; only the remediation role may use it (its key policy). */
export function kmsSealer(kms: KMSClient, keyId: string): RecordSealer {
  return {
    async mac(digest) {
      const { Mac } = await kms.send(
        new GenerateMacCommand({ KeyId: keyId, Message: digest, MacAlgorithm: "HMAC_SHA_256" }),
      );
      if (!Mac) throw new Error("KMS GenerateMac returned no MAC");
      return Mac;
    },
    async verify(digest, mac) {
      try {
        const { MacValid } = await kms.send(
          new VerifyMacCommand({ KeyId: keyId, Message: digest, Mac: mac, MacAlgorithm: "HMAC_SHA_256" }),
        );
        return MacValid === true;
      } catch (error) {
        // A wrong MAC is an answer (the record was changed), not a failure to check it.
        if ((error as { name?: string }).name === "KMSInvalidMacException") return false;
        throw error;
      }
    },
  };
}
