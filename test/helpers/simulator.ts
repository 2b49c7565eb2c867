/** Test helpers: a simulator per test file, a client bound to it, and a logger that records everything. */
import { afterAll, beforeAll } from "vitest";
import {
  createJumpCloudClient,
  type JumpCloudClient,
  type JumpCloudClientOptions,
} from "../../lambdas/jumpcloud/client.js";
import type { Logger } from "../../lambdas/shared/logger.js";
import { type RunningSimulator, type SimulatorOptions, startSimulator } from "../../sim/index.js";

/** Starts a simulator before the file's tests and stops it after; returns a getter. */
export function useSimulator(options: SimulatorOptions = {}): () => RunningSimulator {
  let sim: RunningSimulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator(options);
  });
  afterAll(async () => {
    await sim?.close();
  });
  return () => {
    if (!sim) throw new Error("simulator not started");
    return sim;
  };
}

/** Fast retry settings so fault tests take milliseconds. */
export const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20, retryAfterCapMs: 60_000 } as const;

/** A client pointed at the simulator, with fast retries unless overridden. */
export function simClient(
  sim: RunningSimulator,
  options: Partial<JumpCloudClientOptions> = {},
): JumpCloudClient {
  return createJumpCloudClient({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    insightsUrl: sim.insightsUrl,
    ...options,
    retry: { ...FAST_RETRY, ...options.retry },
  });
}

/** A log line as recorded by `recordingLogger`. */
export interface LogLine {
  level: string;
  message: string;
  attributes?: Record<string, unknown>;
}

/** A logger that keeps every line, at every level. */
export function recordingLogger(): Logger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, attributes?: Record<string, unknown>) => {
    lines.push({ level, message, attributes });
  };
  return {
    lines,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    text: () => lines.map((l) => JSON.stringify(l)).join("\n"),
  };
}

/** Drains an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Resolves to the error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected the promise to reject");
}
