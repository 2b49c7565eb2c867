/**
 * Seals each stored remediation record with a MAC (a KMS HMAC key in AWS, a key file under `--out`
 * locally), bound to the record's storage key, so that a file edited, or copied under another plan's
 * name, is refused before anything in it is used or anything is read from JumpCloud.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { constants } from "node:fs";
import { link, mkdir, open, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RemediationError } from "./errors.js";
import type { RemediationPlan } from "./record.js";

/** Computes and checks MACs of record digests. */
export interface RecordSealer {
  /** The MAC of a 32-byte digest. */
  mac(digest: Uint8Array): Promise<Uint8Array>;
  /** Whether `mac` is the MAC of `digest`: false for a wrong MAC, an error only when it cannot be checked. */
  verify(digest: Uint8Array, mac: Uint8Array): Promise<boolean>;
}

/** The stored form: the record as JSON and its seal. */
interface Envelope {
  seal: { alg: "HMAC_SHA_256"; mac: string };
  record: unknown;
}

const DOMAIN = "jc-audit remediation record v2";

/**
 * What is MACed: a SHA-256 of the storage key and the record's JSON (KMS MACs at most 4 KiB, records
 * can be larger). The record is re-serialized after parsing, so formatting does not matter but any
 * change of content (a value, a key, a duplicate key, `__proto__`) does.
 */
export function recordDigest(storageKey: string, json: string): Buffer {
  return createHash("sha256")
    .update(DOMAIN)
    .update("\0")
    .update(storageKey)
    .update("\0")
    .update(json)
    .digest();
}

/** The text to store for a record. */
export async function sealRecord(
  sealer: RecordSealer,
  storageKey: string,
  record: RemediationPlan,
): Promise<string> {
  const mac = await sealer.mac(recordDigest(storageKey, JSON.stringify(record)));
  const envelope: Envelope = {
    seal: { alg: "HMAC_SHA_256", mac: Buffer.from(mac).toString("base64") },
    record,
  };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

/** The record inside a stored text, once its seal is verified; PLAN_TAMPERED otherwise. */
export async function openRecord(sealer: RecordSealer, storageKey: string, text: string): Promise<unknown> {
  const refuse = (why: string) =>
    new RemediationError(
      "PLAN_TAMPERED",
      `The record ${storageKey} ${why}; nothing was read from JumpCloud and nothing was changed: make a new plan`,
    );
  let envelope: unknown;
  let json: string;
  try {
    envelope = JSON.parse(text);
    json = JSON.stringify((envelope as { record?: unknown } | null)?.record ?? null);
  } catch {
    // Not JSON, or nested too deeply to serialize again (RangeError).
    throw refuse("is not a sealed JSON record");
  }
  const seal = (envelope as Partial<Envelope> | null)?.seal;
  if (
    typeof envelope !== "object" ||
    envelope === null ||
    Array.isArray(envelope) ||
    Object.keys(envelope).sort().join() !== "record,seal" ||
    typeof seal !== "object" ||
    seal === null ||
    seal.alg !== "HMAC_SHA_256" ||
    typeof seal.mac !== "string" ||
    !/^[A-Za-z0-9+/]{43}=$/.test(seal.mac)
  ) {
    const unsealed = (envelope as { schemaVersion?: unknown } | null)?.schemaVersion !== undefined;
    throw refuse(
      unsealed
        ? "has no seal (an unsealed file, or one made by an earlier version)"
        : "is not a sealed record",
    );
  }
  const valid = await sealer.verify(recordDigest(storageKey, json), Buffer.from(seal.mac, "base64"));
  if (!valid)
    throw refuse(
      "does not match its seal: it was changed after remediation wrote it, or moved from another plan",
    );
  return (envelope as Envelope).record;
}

/** Name of the local key file, at the root of `--out`. */
export const LOCAL_SEAL_KEY_FILE = "remediation-seal.key";

/**
 * HMAC-SHA-256 with a key file under `root`, created on first use with mode 0600. A key file that is not
 * a regular file of this user with mode 0600 (or stricter) is refused: others could read it and seal a
 * forged plan.
 */
export function localSealer(root: string): RecordSealer {
  const path = join(root, LOCAL_SEAL_KEY_FILE);
  // Read at every use, not cached: a key file whose mode or content changed is refused at once.
  return {
    async mac(digest) {
      return createHmac("sha256", await loadKey(path, root, true))
        .update(digest)
        .digest();
    },
    async verify(digest, mac) {
      const expected = createHmac("sha256", await loadKey(path, root, false))
        .update(digest)
        .digest();
      return mac.length === expected.length && timingSafeEqual(expected, mac);
    },
  };
}

async function loadKey(path: string, root: string, create: boolean): Promise<Buffer> {
  const invalid = (why: string) =>
    new RemediationError("SEAL_KEY_INVALID", `The remediation seal key ${path} ${why}`);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NOFOLLOW: a symbolic link planted in its place is refused, not followed.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP")
      throw invalid("is a symbolic link; remove it (plans sealed with another key must be made again)");
    if (code !== "ENOENT") throw error;
    if (!create)
      throw invalid("is missing, so no stored plan can be verified; make a new plan (it creates a new key)");
    await createKey(path, root);
    return loadKey(path, root, false);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw invalid("is not a regular file");
    // Why: POSIX permissions only; Windows reports modes that say nothing about who can read the file.
    if (process.platform !== "win32") {
      if ((info.mode & 0o077) !== 0)
        throw invalid(
          `has mode ${(info.mode & 0o777).toString(8).padStart(4, "0")}: other users can read or change it; make it 0600 (chmod 600 ${path}), or remove it and make new plans`,
        );
      if (typeof process.getuid === "function" && info.uid !== process.getuid())
        throw invalid("belongs to another user; remove it and make new plans");
    }
    const text = (await handle.readFile("utf8")).trim();
    if (!/^[0-9a-f]{64}$/.test(text))
      throw invalid("is not 64 hexadecimal characters; remove it and make new plans");
    return Buffer.from(text, "hex");
  } finally {
    await handle.close();
  }
}

/** Writes a new key beside, then links it into place: concurrent creators agree on one complete key. */
async function createKey(path: string, root: string): Promise<void> {
  await mkdir(root, { recursive: true });
  const temporary = `${path}.${randomBytes(8).toString("hex")}.tmp`;
  await writeFile(temporary, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}
