/**
 * Debian's headless Chromium driven by playwright-core (which never downloads a browser): a fresh
 * empty profile per launch, and the flags that keep Chromium off the network on its own account.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Where Debian's `chromium` package installs the browser (.ci/run installs it when missing). */
export const CHROMIUM = "/usr/bin/chromium";

// Without the background-networking flags Chromium reaches out for updates, sync and field trials;
// on a closed network those attempts fail, and they are requests the page did not make.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A running browser and how to close it (the profile folder is removed with it). */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium with a new empty profile; fails with a clear message when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the HTML report's browser tests need Debian's chromium package (apt-get install -y chromium; .ci/run installs it).`,
    );
  const profile = await mkdtemp(join(tmpdir(), "jc-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
      offline: true,
    });
    return {
      context,
      close: async () => {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
