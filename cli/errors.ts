/** CLI errors: each maps to an exit code and prints as one line. */

/** Exit codes of `jc-audit run`. */
export const EXIT = { ok: 0, failed: 1, usage: 2, error: 3 } as const;

/** Bad flags, a missing key or invalid configuration files: exit 2, nothing was sent. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly code = "USAGE" as const;
}
