/** Powertools Logger behind the project's narrow Logger interface. */
import type { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import type { Logger } from "../shared/logger.js";

/** Adapts Powertools' variadic signature to `(message, attributes?)`. */
export function fromPowertools(logger: PowertoolsLogger): Logger {
  const level =
    (name: "debug" | "info" | "warn" | "error") => (message: string, attributes?: Record<string, unknown>) =>
      attributes ? logger[name](message, attributes) : logger[name](message);
  return { debug: level("debug"), info: level("info"), warn: level("warn"), error: level("error") };
}
