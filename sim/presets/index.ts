/** The built-in scenarios, by name. */
import type { Scenario } from "../scenario.js";
import { compliantScenario } from "./compliant.js";
import { demoScenario } from "./demo.js";
import { type LargeOptions, largeScenario } from "./large.js";
import { legacyScenario } from "./legacy.js";
import { plannedScenario } from "./plans.js";

/** Names of the built-in presets. */
export const PRESET_NAMES = ["compliant", "demo", "large", "free", "core", "legacy"] as const;
/** A built-in preset name. */
export type PresetName = (typeof PRESET_NAMES)[number];

/** Whether a string names a built-in preset. */
export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/** Builds a preset; timestamps are relative to `now`, so events are always recent. */
export function buildPreset(name: PresetName, now: Date, large: LargeOptions = {}): Scenario {
  switch (name) {
    case "compliant":
      return compliantScenario(now);
    case "demo":
      return demoScenario(now);
    case "large":
      return largeScenario(now, large);
    case "free":
    case "core":
      return plannedScenario(now, name);
    case "legacy":
      return legacyScenario(now);
  }
}
