/** The real remediation handler module: every malformed request refused up front, valid ones refused as not built. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { rejection } from "../../helpers/simulator.js";

const ORG = "5f0000000000000000000001";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Keeps the handler's Powertools log lines (stdout, and stderr for warnings) out of the test output. */
function captureWarnings(): () => string {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(record);
  vi.spyOn(process.stderr, "write").mockImplementation(record);
  return () => chunks.join("");
}

describe("remediation handler", () => {
  const load = async () => {
    vi.resetModules();
    return (await import("../../../lambdas/handlers/remediate.js")).handler;
  };

  it.each([
    ["a wrong mode", { mode: "destroy", requestedBy: "alice@example.com" }, /^Invalid event: mode: /],
    [
      "an extra field",
      { mode: "plan", requestedBy: "alice@example.com", force: true },
      /^Invalid event: \(root\): Unrecognized key.*"force"/,
    ],
    [
      "an unknown control",
      { mode: "plan", controls: ["1.1", "9.9"], requestedBy: "alice@example.com" },
      /^Invalid event: controls\.1: unknown control id \(known: 1\.1, /,
    ],
    [
      "no controls in the list",
      { mode: "plan", controls: [], requestedBy: "alice@example.com" },
      /^Invalid event: controls: /,
    ],
    [
      "apply without planId",
      { mode: "apply", requestedBy: "alice@example.com" },
      /^Invalid event: planId: apply and rollback need the planId of a plan$/,
    ],
    [
      "rollback without planId",
      { mode: "rollback", requestedBy: "alice@example.com" },
      /^Invalid event: planId: apply and rollback need the planId of a plan$/,
    ],
    [
      "a malformed planId",
      { mode: "apply", planId: "../x", requestedBy: "alice@example.com" },
      /^Invalid event: planId: must be a plan id returned by plan mode$/,
    ],
    [
      "a bad orgId",
      { mode: "plan", requestedBy: "alice@example.com", orgId: "acme" },
      /^Invalid event: orgId: must be 24 hexadecimal characters$/,
    ],
    ["an empty requestedBy", { mode: "plan", requestedBy: "" }, /^Invalid event: requestedBy: /],
    ["a missing requestedBy", { mode: "plan" }, /^Invalid event: requestedBy: /],
    ["a non-object", "plan", /^Invalid event: \(root\): /],
    ["null", null, /^Invalid event: \(root\): /],
    ["an array", [{ mode: "plan", requestedBy: "alice@example.com" }], /^Invalid event: \(root\): /],
  ])("refuses %s", async (_name, payload, message) => {
    const output = captureWarnings();
    const handler = await load();
    const error = await rejection(handler(payload));
    expect(error.name).toBe("InvalidEventError");
    expect(error.code).toBe("INVALID_EVENT");
    expect(error.message).toMatch(message);
    expect(output()).not.toContain("Remediation requested");
  });

  it.each([
    { mode: "plan", requestedBy: "alice@example.com" },
    {
      mode: "apply",
      planId: "plan-20261128-abc123",
      controls: ["1.1", "2.1"],
      requestedBy: "alice@example.com",
      reason: "CHG-1234",
      orgId: ORG,
    },
  ])("refuses a valid $mode request with REMEDIATION_NOT_AVAILABLE and changes nothing", async (request) => {
    const output = captureWarnings();
    const handler = await load();
    expect(await handler(request)).toEqual({
      ok: false,
      code: "REMEDIATION_NOT_AVAILABLE",
      message: "Remediation is not available in this release; nothing was changed.",
    });
    const line = JSON.parse(output().trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
    expect(line).toMatchObject({
      level: "WARN",
      message: "Remediation requested but not available in this release",
      mode: request.mode,
      requestedBy: "alice@example.com",
    });
  });
});
