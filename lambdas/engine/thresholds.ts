/** Threshold values: each control's defaults, overridden per control by configuration, validated. */
import type { AnyControl, ThresholdValues } from "../controls/types.js";
import { EngineError } from "./errors.js";

/** Overrides by control id, e.g. `{ "1.2": { maxFullAdmins: 4 } }`. */
export type ThresholdOverrides = Record<string, Record<string, unknown>>;

/** The effective thresholds of a control; an unknown name or a wrong type is an EngineError. */
export function resolveThresholds(
  control: AnyControl,
  overrides: Record<string, unknown> = {},
): ThresholdValues {
  const values: ThresholdValues = {};
  for (const [name, definition] of Object.entries(control.thresholds)) values[name] = definition.default;
  for (const [name, value] of Object.entries(overrides)) {
    const definition = control.thresholds[name];
    if (!definition) {
      const known = Object.keys(control.thresholds);
      throw new EngineError(
        "INVALID_THRESHOLD",
        `Control ${control.id} has no threshold "${name}"${known.length ? ` (known: ${known.join(", ")})` : " (it has none)"}`,
      );
    }
    if (typeof value !== typeof definition.default) {
      throw new EngineError(
        "INVALID_THRESHOLD",
        `Threshold ${control.id}.${name} must be a ${typeof definition.default}, got ${JSON.stringify(value)}`,
      );
    }
    if (
      typeof value === "number" &&
      (!Number.isFinite(value) ||
        value < (definition.min ?? -Infinity) ||
        value > (definition.max ?? Infinity))
    ) {
      throw new EngineError(
        "INVALID_THRESHOLD",
        `Threshold ${control.id}.${name} must be between ${definition.min ?? "-∞"} and ${definition.max ?? "∞"}, got ${value}`,
      );
    }
    values[name] = value as number | boolean | string;
  }
  return values;
}
