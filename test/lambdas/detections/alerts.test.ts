/** Detection alerts on real-shaped and oddly typed Directory Insights events. */
import { describe, expect, it } from "vitest";
import { describeEvent, detectionAlert } from "../../../lambdas/detections/alerts.js";
import { parseRules } from "../../../lambdas/detections/engine/index.js";
import type { InsightsEvent } from "../../../lambdas/jumpcloud/types.js";
import { adminLogin, event, userAuth } from "../../detections/events.js";
import { detectionDoc, yamlOf } from "./engine/helpers.js";

describe("describeEvent", () => {
  it("marks failures as JumpCloud records them: success false, or sso_token_success false on sso_auth", () => {
    expect(describeEvent(userAuth("sso_auth", false, { client_ip: "198.51.100.23" }))).toBe(
      "2026-11-28T09:00:00.000Z sso_auth (failed) by karl.sales from 198.51.100.23",
    );
    expect(describeEvent(userAuth("sso_auth", true))).not.toMatch(/failed/);
    expect(describeEvent(userAuth("radius_auth_attempt", false))).toMatch(/radius_auth_attempt \(failed\)/);
    expect(describeEvent(event("sso_auth", { success: undefined, sso_token_success: "FALSE" }))).toMatch(
      /\(failed\)/,
    );
  });

  it("names the administrator of a real admin login (initiated_by, no resource)", () => {
    expect(describeEvent(adminLogin(false, { email: "erin.ops@example.com", client_ip: "192.0.2.66" }))).toBe(
      "2026-11-28T09:00:00.000Z admin_login_attempt (failed) by erin.ops@example.com from 192.0.2.66",
    );
  });

  it("reads odd types without throwing and without printing objects", () => {
    const odd = {
      id: 7,
      event_type: null,
      timestamp: 1_764_320_400_000,
      initiated_by: "alice",
      username: { name: "x" },
      client_ip: ["192.0.2.1"],
      success: "false",
    } as unknown as InsightsEvent;
    expect(describeEvent(odd)).toBe("1764320400000 (no type) (failed) by unknown from unknown");
    expect(
      describeEvent({ ...odd, initiated_by: null, username: "bob" } as unknown as InsightsEvent),
    ).toMatch(/by bob from unknown$/);
  });
});

describe("detectionAlert", () => {
  const [rule] = parseRules(
    yamlOf(
      detectionDoc(
        { selection: { event_type: "radiusserver_update" }, condition: "selection" },
        { title: "RADIUS changed" },
      ),
    ),
    "radius.yml",
  );

  it("never carries what a change set (a RADIUS shared secret stays out of the alert)", () => {
    if (!rule) throw new Error("rule missing");
    const changed = event("radiusserver_update", {
      changes: [{ field: "sharedSecret", from: "old-S3cret!", to: "new-S3cret!" }],
    });
    const message = detectionAlert(rule, [{ rule, events: [changed] }], "5f00000000000000000000e1");
    const everything = JSON.stringify(message);
    expect(everything).not.toMatch(/S3cret/);
    expect(message.email).toMatch(/radiusserver_update by alice\.admin@example\.com/);
  });

  it("lists related resources as text, whatever their type", () => {
    if (!rule) throw new Error("rule missing");
    const odd = event("radiusserver_update", { initiated_by: { email: 42 }, client_ip: undefined });
    const message = detectionAlert(rule, [{ rule, events: [odd] }], "org");
    expect(message.chatbot.metadata?.relatedResources ?? []).toEqual(["42"]);
  });
});
