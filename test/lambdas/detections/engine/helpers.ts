import { stringify } from "yaml";
import type { InsightsEvent } from "../../../../lambdas/jumpcloud/types.js";

let counter = 0;

/** A fresh, valid UUID for each call. */
export function uuid(): string {
  counter++;
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, "0")}`;
}

/** A valid detection rule document (as an object), with overrides. */
export function detectionDoc(detection: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    title: "Test rule",
    id: uuid(),
    status: "experimental",
    description: "A rule for tests.",
    author: "tests",
    date: "2025-01-01",
    level: "medium",
    logsource: { product: "jumpcloud", service: "directory_insights" },
    detection,
    ...overrides,
  };
}

/** A valid event_count correlation document. */
export function correlationDoc(
  correlation: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
) {
  return {
    title: "Test correlation",
    id: uuid(),
    status: "experimental",
    description: "A correlation for tests.",
    author: "tests",
    date: "2025-01-01",
    level: "high",
    correlation: { type: "event_count", ...correlation },
    ...overrides,
  };
}

/** YAML text holding the given documents, separated by `---`. */
export function yamlOf(...docs: unknown[]): string {
  return docs.map((doc) => stringify(doc)).join("---\n");
}

/** A Directory Insights event with defaults. */
export function event(fields: Record<string, unknown> = {}): InsightsEvent {
  return {
    id: `evt-${Math.random().toString(36).slice(2)}`,
    event_type: "admin_login_attempt",
    service: "directory",
    timestamp: "2025-01-01T00:00:00.000Z",
    ...fields,
  };
}
