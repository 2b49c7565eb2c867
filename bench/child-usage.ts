/** Runs a Node.js child process and reports its wall time and its own peak RSS, on any OS. */
import { spawn } from "node:child_process";

/**
 * Preloaded into the child: at exit it writes its peak resident set size (KiB, from getrusage) to
 * file descriptor 3, a pipe only the parent reads, so stdout and stderr stay the program's own.
 */
const REPORT_PEAK_RSS = `data:text/javascript,${encodeURIComponent(
  'import { writeSync } from "node:fs"; process.on("exit", () => { try { writeSync(3, String(process.resourceUsage().maxRSS)); } catch {} });',
)}`;

/** One finished child. */
export interface ChildUsage {
  code: number | null;
  ms: number;
  peakRssMiB: number;
  /** The end of stderr, for a run that failed. */
  stderrTail: string;
}

/** Runs `node ...argv` (Node's flags, the script, its arguments) with stdout discarded; resolves when it exits. */
export function measureNode(
  argv: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<ChildUsage> {
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", REPORT_PEAK_RSS, ...argv], {
    stdio: ["ignore", "ignore", "pipe", "pipe"],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  let stderr = "";
  let rss = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  child.stdio[3]?.on("data", (chunk: Buffer) => {
    rss += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      resolve({
        code,
        ms: performance.now() - started,
        peakRssMiB: Number(rss) / 1024,
        stderrTail: stderr,
      });
    });
  });
}

/** The median of numbers (the lower middle one for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}
