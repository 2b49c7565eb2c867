/**
 * Helpers for the simulator's behaviour tests: a fresh simulator per test (so that each test changes one
 * thing in a known-good fixture) and a bare `fetch` wrapper. Deliberately independent of the project's
 * JumpCloud client, which has its own tests.
 */
import { afterEach, beforeEach } from "vitest";
import type { OrgData } from "../../sim/index.js";
import { type RunningSimulator, type SimulatorOptions, startSimulator } from "../../sim/index.js";

/** The fixed clock of every test simulator. */
export const NOW = new Date("2026-11-28T12:00:00.000Z");

/** Starts a simulator (default: the `compliant` preset on a fixed clock) before each test, closes it after. */
export function freshSimulator(options: SimulatorOptions = {}): () => RunningSimulator {
  let sim: RunningSimulator | undefined;
  beforeEach(async () => {
    sim = await startSimulator({ scenario: "compliant", now: () => NOW, ...options });
  });
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  return () => {
    if (!sim) throw new Error("simulator not started");
    return sim;
  };
}

/** The first (in single-tenant scenarios, the only) organization's live data. */
export function orgOf(sim: RunningSimulator, index = 0): OrgData {
  const org = sim.scenario.organizations[index];
  if (!org) throw new Error(`no organization #${index}`);
  return org;
}

/** A decoded answer. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON and assert exact values
  body: any;
}

/** Options of one request. */
export interface CallOptions {
  body?: unknown;
  /** Extra headers; `x-api-key` defaults to the simulator's key. */
  headers?: Record<string, string>;
  /** Send no `x-api-key` at all. */
  noKey?: boolean;
}

/** Sends one request with the global `fetch` and decodes the JSON answer (undefined for an empty body). */
export async function call(
  sim: RunningSimulator,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (!options.noKey && headers["x-api-key"] === undefined) headers["x-api-key"] = sim.apiKey;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text === "" ? undefined : JSON.parse(text) };
}

/** Deep copy of JSON data (to compare state before and after a request). */
export function snapshot<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
